// ProfileDialog: the checks of this machine's files and the path rows.
#include "ProfileDialog.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>

namespace nexus::app {

using client::ConnectionProfile;

QString validateProfileForm(const ConnectionProfile& p)
{
    if (QString error = client::validateProfile(p); !error.isEmpty())
        return error;
    // The form also checks this machine's files (a stored profile may name
    // a file of another machine).
    if (p.kind != ConnectionProfile::Kind::Remote)
        return {};
    const auto unreadable = [](const QString& path) {
        return !path.isEmpty() && !QFileInfo(path).isReadable();
    };
    if (unreadable(p.tlsCaPath))
        return QObject::tr("The TLS CA file %1 cannot be read.").arg(p.tlsCaPath);
    if (unreadable(p.tlsCertPath))
        return QObject::tr("The client certificate %1 cannot be read.").arg(p.tlsCertPath);
    if (unreadable(p.tlsKeyPath))
        return QObject::tr("The client key file %1 cannot be read.").arg(p.tlsKeyPath);
    return {};
}

QHBoxLayout* ProfileDialog::fileRow(QLineEdit*& edit, const char* objectName,
                                    const QString& placeholder, const QString& dialogTitle,
                                    const QString& filter, QWidget* form)
{
    auto* row = new QHBoxLayout;
    edit = new QLineEdit(form);
    edit->setObjectName(QLatin1String(objectName));
    edit->setPlaceholderText(placeholder);
    edit->setAccessibleName(dialogTitle);
    auto* browse = new QPushButton(tr("Browse\u2026"), form);
    row->addWidget(edit, 1);
    row->addWidget(browse);
    browse_ << browse;
    QLineEdit* target = edit;
    connect(browse, &QPushButton::clicked, this, [this, target, dialogTitle, filter] {
        const QString path =
            QFileDialog::getOpenFileName(this, dialogTitle, target->text(), filter);
        if (!path.isEmpty())
            target->setText(path);
    });
    return row;
}

} // namespace nexus::app
