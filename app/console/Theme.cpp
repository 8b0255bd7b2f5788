#include "Theme.h"

#include <QApplication>
#include <QEvent>
#include <QProcess>
#include <QSettings>
#include <QStandardPaths>
#include <QStyle>
#include <QStyleFactory>
#include <QTimer>
#include <QWidget>
#include <QWindow>

namespace nexus::app {

namespace theme {

namespace {

const QString kSettingsKey = QStringLiteral("ui/theme");

struct Colors
{
    QColor window, windowText, base, alternateBase, toolTipBase, toolTipText, placeholder, text,
        button, buttonText, brightText, light, midlight, mid, dark, shadow, highlight,
        highlightedText, link, linkVisited, disabledText, disabledHighlight,
        disabledHighlightedText;
};

QPalette build(const Colors& c)
{
    QPalette p;
    const auto all = [&p](QPalette::ColorRole role, const QColor& color) {
        p.setColor(QPalette::All, role, color);
    };
    all(QPalette::Window, c.window);
    all(QPalette::WindowText, c.windowText);
    all(QPalette::Base, c.base);
    all(QPalette::AlternateBase, c.alternateBase);
    all(QPalette::ToolTipBase, c.toolTipBase);
    all(QPalette::ToolTipText, c.toolTipText);
    all(QPalette::PlaceholderText, c.placeholder);
    all(QPalette::Text, c.text);
    all(QPalette::Button, c.button);
    all(QPalette::ButtonText, c.buttonText);
    all(QPalette::BrightText, c.brightText);
    all(QPalette::Light, c.light);
    all(QPalette::Midlight, c.midlight);
    all(QPalette::Mid, c.mid);
    all(QPalette::Dark, c.dark);
    all(QPalette::Shadow, c.shadow);
    all(QPalette::Highlight, c.highlight);
    all(QPalette::HighlightedText, c.highlightedText);
    all(QPalette::Link, c.link);
    all(QPalette::LinkVisited, c.linkVisited);
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, c.disabledText);
    p.setColor(QPalette::Disabled, QPalette::Highlight, c.disabledHighlight);
    p.setColor(QPalette::Disabled, QPalette::HighlightedText, c.disabledHighlightedText);
    p.setColor(QPalette::Disabled, QPalette::Base, c.window); // disabled fields look inert
    p.setColor(QPalette::Disabled, QPalette::PlaceholderText, c.disabledText);
    // Unfocused windows keep a readable selection (Fusion greys it otherwise).
    p.setColor(QPalette::Inactive, QPalette::Highlight,
               c.highlight.lighter(c.window.lightness() < 128 ? 80 : 115));
    return p;
}

} // namespace

ThemeChoice choiceFromString(const QString& text)
{
    if (text == QLatin1String("light"))
        return ThemeChoice::Light;
    if (text == QLatin1String("dark"))
        return ThemeChoice::Dark;
    return ThemeChoice::System;
}

QString choiceToString(ThemeChoice choice)
{
    switch (choice) {
    case ThemeChoice::Light:
        return QStringLiteral("light");
    case ThemeChoice::Dark:
        return QStringLiteral("dark");
    case ThemeChoice::System:
        break;
    }
    return QStringLiteral("system");
}

QPalette lightPalette()
{
    Colors c;
    c.window = QColor(0xef, 0xf0, 0xf1);
    c.windowText = QColor(0x1d, 0x1f, 0x22);
    c.base = Qt::white;
    c.alternateBase = QColor(0xf5, 0xf6, 0xf7);
    c.toolTipBase = QColor(0xff, 0xfb, 0xe6);
    c.toolTipText = QColor(0x1d, 0x1f, 0x22);
    c.placeholder = QColor(0x6b, 0x70, 0x76);
    c.text = c.windowText;
    c.button = QColor(0xe8, 0xe9, 0xeb);
    c.buttonText = c.windowText;
    c.brightText = Qt::white;
    c.light = Qt::white;
    c.midlight = QColor(0xd6, 0xd8, 0xdb);
    c.mid = QColor(0xb4, 0xb8, 0xbd);
    c.dark = QColor(0x8e, 0x93, 0x99);
    c.shadow = QColor(0x5f, 0x63, 0x68);
    c.highlight = QColor(0x1f, 0x6f, 0xc5);
    c.highlightedText = Qt::white;
    c.link = QColor(0x0b, 0x57, 0xd0);
    c.linkVisited = QColor(0x7b, 0x1f, 0xa2);
    c.disabledText = QColor(0x8c, 0x90, 0x96);
    c.disabledHighlight = QColor(0xa8, 0xad, 0xb3);
    c.disabledHighlightedText = QColor(0xf0, 0xf0, 0xf0);
    return build(c);
}

QPalette darkPalette()
{
    Colors c;
    c.window = QColor(0x2b, 0x2d, 0x31);
    c.windowText = QColor(0xe3, 0xe5, 0xe8);
    c.base = QColor(0x1e, 0x1f, 0x22);
    c.alternateBase = QColor(0x26, 0x28, 0x2c);
    c.toolTipBase = QColor(0x3c, 0x3f, 0x44);
    c.toolTipText = QColor(0xe3, 0xe5, 0xe8);
    c.placeholder = QColor(0x8d, 0x92, 0x99);
    c.text = c.windowText;
    c.button = QColor(0x36, 0x39, 0x3e);
    c.buttonText = c.windowText;
    c.brightText = QColor(0xff, 0x8a, 0x80);
    c.light = QColor(0x4a, 0x4d, 0x53);
    c.midlight = QColor(0x40, 0x43, 0x48);
    c.mid = QColor(0x32, 0x34, 0x38);
    c.dark = QColor(0x1a, 0x1b, 0x1d);
    c.shadow = QColor(0x0d, 0x0d, 0x0e);
    c.highlight = QColor(0x2f, 0x6f, 0xbf);
    c.highlightedText = Qt::white;
    c.link = QColor(0x7c, 0xb4, 0xff);
    c.linkVisited = QColor(0xc3, 0x9b, 0xff);
    c.disabledText = QColor(0x74, 0x78, 0x7e);
    c.disabledHighlight = QColor(0x45, 0x48, 0x4d);
    c.disabledHighlightedText = QColor(0x9a, 0x9e, 0xa4);
    return build(c);
}

bool isDark(const QPalette& palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

std::optional<bool> parseGnomeColorScheme(const QString& output)
{
    const QString value = output.trimmed().remove(u'\'').remove(u'"');
    if (value == QLatin1String("prefer-dark"))
        return true;
    if (value == QLatin1String("prefer-light"))
        return false;
    return std::nullopt;
}

std::optional<bool> gnomePrefersDark(int timeoutMs)
{
    const QString gsettings = QStandardPaths::findExecutable(QStringLiteral("gsettings"));
    if (gsettings.isEmpty())
        return std::nullopt;
    QProcess process;
    process.start(gsettings, {QStringLiteral("get"), QStringLiteral("org.gnome.desktop.interface"),
                              QStringLiteral("color-scheme")});
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(200);
        return std::nullopt;
    }
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return std::nullopt; // e.g. an older GNOME without the key
    return parseGnomeColorScheme(QString::fromUtf8(process.readAllStandardOutput()));
}

bool resolveDark(ThemeChoice choice, std::optional<bool> desktopPrefersDark,
                 const QPalette& platformPalette)
{
    switch (choice) {
    case ThemeChoice::Light:
        return false;
    case ThemeChoice::Dark:
        return true;
    case ThemeChoice::System:
        break;
    }
    return desktopPrefersDark ? *desktopPrefersDark : isDark(platformPalette);
}

} // namespace theme

ThemeController::ThemeController(QObject* parent)
    : QObject(parent), platformPalette_(QApplication::palette()), recheck_(new QTimer(this))
{
    recheck_->setSingleShot(true);
    recheck_->setInterval(0);
    connect(recheck_, &QTimer::timeout, this, &ThemeController::apply);
    QSettings settings;
    choice_ = theme::choiceFromString(settings.value(theme::kSettingsKey).toString());
    apply();
    qApp->installEventFilter(this);
}

ThemeController::~ThemeController()
{
    qApp->removeEventFilter(this);
}

void ThemeController::setChoice(ThemeChoice choice)
{
    QSettings settings;
    settings.setValue(theme::kSettingsKey, theme::choiceToString(choice));
    choice_ = choice;
    apply();
}

void ThemeController::setDesktopPreferenceOverride(std::optional<bool> prefersDark)
{
    overridden_ = prefersDark.has_value();
    override_ = prefersDark;
    apply();
}

std::optional<bool> ThemeController::desktopPreference() const
{
    if (overridden_)
        return override_;
    return theme::gnomePrefersDark();
}

void ThemeController::apply()
{
    const bool dark = theme::resolveDark(
        choice_, choice_ == ThemeChoice::System ? desktopPreference() : std::nullopt,
        platformPalette_);
    const bool changed = dark != dark_;
    applying_ = true;
    if (QApplication::style()->name().compare(QLatin1String("fusion"), Qt::CaseInsensitive) != 0)
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QApplication::setPalette(dark ? theme::darkPalette() : theme::lightPalette());
    applying_ = false;
    dark_ = dark;
    if (changed)
        emit themeChanged(dark);
}

bool ThemeController::eventFilter(QObject* watched, QEvent* event)
{
    if (applying_)
        return QObject::eventFilter(watched, event);
    if (event->type() == QEvent::ThemeChange && (watched->isWindowType() || watched == qApp)) {
        // The desktop changed its theme: our palette stays applied, so the
        // platform's palette is read from a fresh default palette.
        if (choice_ == ThemeChoice::System && !recheck_->isActive()) {
            const QPalette ours = QApplication::palette();
            applying_ = true;
            QApplication::setPalette(QPalette());
            platformPalette_ = QApplication::palette();
            QApplication::setPalette(ours);
            applying_ = false;
            recheck_->start();
        }
    } else if (event->type() == QEvent::ApplicationPaletteChange && watched == qApp) {
        // Someone else (the platform) replaced the palette.
        const QPalette expected = dark_ ? theme::darkPalette() : theme::lightPalette();
        const QPalette now = QApplication::palette();
        if (now.color(QPalette::Window) != expected.color(QPalette::Window)) {
            platformPalette_ = now;
            recheck_->start();
        }
    }
    return QObject::eventFilter(watched, event);
}

} // namespace nexus::app
