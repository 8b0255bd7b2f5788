#include "WelcomeDialog.h"

#include "MainWindow.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPixmap>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

namespace nexus::app {

namespace {

const QString kDone = QStringLiteral("onboarding/done");
const QString kShowAtStartup = QStringLiteral("onboarding/showAtStartup");

QLabel* paragraph(const QString& html, QWidget* parent)
{
    auto* label = new QLabel(html, parent);
    label->setTextFormat(Qt::RichText);
    label->setWordWrap(true);
    label->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    return label;
}

// A titled panel on the window's alternate base colour, so it follows the
// light and dark themes.
QFrame* card(const QString& title, QWidget* parent, QVBoxLayout*& body)
{
    auto* frame = new QFrame(parent);
    frame->setObjectName(QStringLiteral("welcomeCard"));
    frame->setStyleSheet(QStringLiteral("#welcomeCard { background: palette(alternate-base); "
                                        "border: 1px solid palette(mid); border-radius: 6px; }"));
    body = new QVBoxLayout(frame);
    body->setContentsMargins(16, 12, 16, 14);
    body->setSpacing(8);
    auto* heading = new QLabel(title, frame);
    QFont font = heading->font();
    font.setPointSizeF(font.pointSizeF() * 1.15);
    font.setBold(true);
    heading->setFont(font);
    body->addWidget(heading);
    return frame;
}

} // namespace

WelcomeDialog::WelcomeDialog(QWidget* parent)
    : QDialog(parent), showAtStartup_(new QCheckBox(tr("Show this at startup"), this)),
      explore_(new QPushButton(tr("Explore the Sandbox"), this)),
      connect_(new QPushButton(tr("Connect to a Fleet\u2026"), this)),
      openTrace_(new QPushButton(tr("Open Trace\u2026"), this))
{
    setObjectName(QStringLiteral("welcomeDialog"));
    setWindowTitle(tr("Welcome to Nexus Console"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(28, 24, 28, 20);
    layout->setSpacing(14);

    auto* title = new QLabel(tr("Welcome to Nexus Console"), this);
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.9);
    titleFont.setBold(true);
    title->setFont(titleFont);
    layout->addWidget(title);
    layout->addWidget(paragraph(
        tr("The desktop console for fleets of DashFlow agents: watch them work, inspect and "
           "replay their traces, review what they learned and roll out improvements safely."),
        this));

    QVBoxLayout* body = nullptr;
    auto* columns = new QHBoxLayout;
    columns->setSpacing(14);
    QFrame* sandbox = card(tr("You are in the Local sandbox"), this, body);
    body->addWidget(paragraph(
        tr("A Nexus running <b>inside this program</b> with a simulated fleet of <b>24 agent "
           "instances</b> running the sample graphs. Its data is temporary and is gone when you "
           "quit; <b>nothing leaves this machine</b>. Click anything, nothing can break."),
        sandbox));
    body->addStretch(1);
    columns->addWidget(sandbox, 1);
    QFrame* fleet = card(tr("Connect to your fleet"), this, body);
    body->addWidget(paragraph(
        tr("Add a connection profile with your <b>Nexus address</b> (host:port), an "
           "<b>access token</b> (from an environment variable, a file or the keychain), the "
           "<b>TLS CA</b> when Nexus uses a private certificate and the <b>Kafka bootstrap "
           "servers</b> for live runs: <i>File \u203a Connection Profiles\u2026</i> "
           "(Ctrl+Shift+P).<br><br>No server? Open a recorded <b>.dstrace</b> file: <i>File \u203a "
           "Open Trace\u2026</i> (Ctrl+O)."),
        fleet));
    body->addStretch(1);
    columns->addWidget(fleet, 1);
    layout->addLayout(columns);

    QFrame* tryIt = card(tr("What to try in the sandbox"), this, body);
    auto* grid = new QGridLayout;
    grid->setHorizontalSpacing(16);
    grid->setVerticalSpacing(6);
    grid->setColumnStretch(1, 1);
    struct Idea
    {
        const char* view;
        QString link;
        QString what;
        const char* keys;
    };
    const Idea ideas[] = {
        {"fleet", tr("Watch the fleet"), tr("health and KPIs of 24 instances, outliers flagged"),
         "Ctrl+1"},
        {"compare", tr("Compare instances"), tr("side by side, with significance tests"), "Ctrl+2"},
        {"runs", tr("Open a live run"), tr("its graph, timeline and the state at each step"),
         "Ctrl+3"},
        {"traces", tr("Replay a trace"), tr("flame graph, replay debugger, fork from a step"),
         "Ctrl+4"},
        {"knowledge", tr("Review knowledge"), tr("approve or reject what the fleet learned"),
         "Ctrl+5"},
        {"rollouts", tr("Launch a canary"), tr("roll out a better prompt, watch the analysis"),
         "Ctrl+6"},
    };
    const QColor muted = palette().color(QPalette::PlaceholderText);
    int row = 0;
    for (const Idea& idea : ideas) {
        auto* link = new QLabel(QStringLiteral("<a href=\"%1\">%2</a>")
                                    .arg(QLatin1String(idea.view), idea.link.toHtmlEscaped()),
                                tryIt);
        link->setObjectName(QStringLiteral("try-") + QLatin1String(idea.view));
        link->setTextFormat(Qt::RichText);
        link->setTextInteractionFlags(Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
        link->setToolTip(tr("Show it (%1)").arg(QLatin1String(idea.keys)));
        connect(link, &QLabel::linkActivated, this, [this](const QString& view) {
            emit viewRequested(view);
            accept();
        });
        auto* what = new QLabel(idea.what, tryIt);
        auto* keys = new QLabel(QLatin1String(idea.keys), tryIt);
        QPalette mutedPalette = keys->palette();
        mutedPalette.setColor(QPalette::WindowText, muted);
        keys->setPalette(mutedPalette);
        grid->addWidget(link, row, 0);
        grid->addWidget(what, row, 1);
        grid->addWidget(keys, row, 2, Qt::AlignRight);
        ++row;
    }
    body->addLayout(grid);
    layout->addWidget(tryIt);

    auto* tips = paragraph(tr("<b>Tip:</b> press <b>Ctrl+K</b> for the command palette, which "
                              "reaches every view and action by name, and <b>F1</b> for the "
                              "keyboard shortcuts. This screen is always under <i>Help \u203a "
                              "Welcome</i>."),
                           this);
    tips->setObjectName(QStringLiteral("welcomeTips"));
    layout->addWidget(tips);
    layout->addStretch(1);

    auto* buttons = new QHBoxLayout;
    showAtStartup_->setObjectName(QStringLiteral("showAtStartup"));
    showAtStartup_->setChecked(QSettings().value(kShowAtStartup, false).toBool());
    showAtStartup_->setToolTip(tr("Show the welcome screen each time the console starts"));
    buttons->addWidget(showAtStartup_);
    buttons->addStretch(1);
    openTrace_->setObjectName(QStringLiteral("welcomeOpenTrace"));
    openTrace_->setToolTip(tr("Open a recorded .dstrace file; no server needed"));
    connect_->setObjectName(QStringLiteral("welcomeConnect"));
    connect_->setToolTip(tr("Open File \u203a Connection Profiles to add your Nexus"));
    explore_->setObjectName(QStringLiteral("welcomeExplore"));
    explore_->setToolTip(tr("Close this screen and stay on the Local sandbox"));
    explore_->setDefault(true);
    explore_->setAutoDefault(true);
    for (QPushButton* b : {openTrace_, connect_})
        b->setAutoDefault(false);
    buttons->addWidget(openTrace_);
    buttons->addWidget(connect_);
    buttons->addWidget(explore_);
    layout->addLayout(buttons);

    connect(explore_, &QPushButton::clicked, this, &QDialog::accept);
    connect(connect_, &QPushButton::clicked, this, [this] {
        emit connectRequested();
        accept();
    });
    connect(openTrace_, &QPushButton::clicked, this, [this] {
        accept();
        emit openTraceRequested();
    });
    // Wrapped paragraphs: the height they need at a comfortable width (a
    // top-level window does not ask its layout's height-for-width itself).
    const int width = 860;
    const int height = layout->totalHeightForWidth(width);
    setMinimumSize(width, height);
    resize(width, height);
}

bool WelcomeDialog::wantedAtStartup()
{
    const QSettings settings;
    return !settings.value(kDone, false).toBool() || settings.value(kShowAtStartup, false).toBool();
}

QPixmap WelcomeDialog::grabOver(QWidget* window)
{
    QPixmap shot = window->grab();
    const QPixmap self = grab();
    QPainter painter(&shot);
    const QSizeF area = shot.deviceIndependentSize();
    painter.fillRect(QRectF(QPointF(0, 0), area), QColor(0, 0, 0, 110));
    const QSizeF size = self.deviceIndependentSize();
    const QPointF at((area.width() - size.width()) / 2, (area.height() - size.height()) / 2);
    painter.setPen(palette().color(QPalette::Mid));
    painter.drawRect(QRectF(at - QPointF(1, 1), size + QSizeF(1, 1)));
    painter.drawPixmap(at, self);
    return shot;
}

void WelcomeDialog::done(int result)
{
    QSettings settings;
    settings.setValue(kDone, true);
    settings.setValue(kShowAtStartup, showAtStartup_->isChecked());
    QDialog::done(result);
}

WelcomeDialog* showWelcome(MainWindow* window)
{
    if (auto* open = window->findChild<WelcomeDialog*>()) {
        open->raise();
        open->activateWindow();
        return open;
    }
    auto* dialog = new WelcomeDialog(window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    QObject::connect(dialog, &WelcomeDialog::connectRequested, window,
                     [window] { window->showProfiles(); });
    QObject::connect(dialog, &WelcomeDialog::viewRequested, window,
                     [window](const QString& view) { window->showView(view); });
    QObject::connect(dialog, &WelcomeDialog::openTraceRequested, window, [window] {
        const QString path = QFileDialog::getOpenFileName(
            window, WelcomeDialog::tr("Open Trace"), QString(),
            WelcomeDialog::tr("DashStream traces (*.dstrace);;All files (*)"));
        if (!path.isEmpty())
            window->openTrace(path);
    });
    dialog->show();
    return dialog;
}

} // namespace nexus::app
