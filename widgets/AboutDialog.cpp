#include "widgets/AboutDialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace nexus::widgets {

AboutDialog::AboutDialog(const QList<QPair<QString, QString>>& versions, QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(tr("About Nexus Console"));
    auto* layout = new QVBoxLayout(this);
    auto* title = new QLabel(tr("Nexus Console"), this);
    QFont font = title->font();
    font.setPointSizeF(font.pointSizeF() * 1.6);
    font.setBold(true);
    title->setFont(font);
    layout->addWidget(title);
    auto* blurb = new QLabel(tr("A desktop console for fleets of DashFlow agents."), this);
    layout->addWidget(blurb);

    auto* form = new QFormLayout;
    for (const auto& [name, version] : versions) {
        auto* value = new QLabel(version, this);
        value->setTextFormat(Qt::PlainText);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        form->addRow(name + QLatin1Char(':'), value);
    }
    layout->addLayout(form);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

} // namespace nexus::widgets
