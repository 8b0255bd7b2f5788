#pragma once
// Light and dark themes (issue 12): View > Theme > System / Light / Dark,
// remembered in QSettings "ui/theme" ("system" | "light" | "dark").
//
// Both themes are the Fusion style with a full QPalette (every role, the
// disabled group, links, highlight, tooltips, placeholder text). Custom
// painted views read their colours from the palette, so they follow a
// switch live (QEvent::PaletteChange).
//
// "System" follows the desktop. Qt 6.4 (Debian 12) has no
// QStyleHints::colorScheme, so the preference is found like this, first
// answer wins:
//   1. GNOME/GTK: `gsettings get org.gnome.desktop.interface color-scheme`
//      ('prefer-dark' or 'prefer-light'; 'default' says nothing), when the
//      gsettings tool is installed (a short, bounded call);
//   2. the platform theme's palette as Qt saw it at startup: a window colour
//      darker than mid grey means dark (KDE, qt6ct, Windows, macOS set it).
// The preference is looked up again when the platform reports a theme or
// palette change (QEvent::ThemeChange / ApplicationPaletteChange that we did
// not cause) and whenever the user picks System.

#include <QObject>
#include <QPalette>
#include <QString>

#include <optional>

namespace nexus::app {

enum class ThemeChoice
{
    System,
    Light,
    Dark
};

namespace theme {

// "system" | "light" | "dark"; anything else reads as System.
ThemeChoice choiceFromString(const QString& text);
QString choiceToString(ThemeChoice choice);

// The two palettes applied with the Fusion style.
QPalette lightPalette();
QPalette darkPalette();
// True when the palette's window colour is darker than mid grey.
bool isDark(const QPalette& palette);

// Parses the output of `gsettings get org.gnome.desktop.interface
// color-scheme`: true for 'prefer-dark', false for 'prefer-light', nothing
// for 'default', empty or unknown output.
std::optional<bool> parseGnomeColorScheme(const QString& output);
// Asks gsettings (at most `timeoutMs`); nothing when it is not installed,
// fails or has no preference.
std::optional<bool> gnomePrefersDark(int timeoutMs = 700);

// The whole resolution: an explicit choice wins; System uses the desktop
// preference when known, else the platform palette.
bool resolveDark(ThemeChoice choice, std::optional<bool> desktopPrefersDark,
                 const QPalette& platformPalette);

} // namespace theme

// Applies the theme to the application and keeps it applied. One per
// application (the main window owns it).
class ThemeController : public QObject
{
    Q_OBJECT
public:
    // Reads "ui/theme" and applies it.
    explicit ThemeController(QObject* parent = nullptr);
    ~ThemeController() override;

    ThemeChoice choice() const { return choice_; }
    bool isDark() const { return dark_; }
    // Applies and remembers the choice (QSettings "ui/theme").
    void setChoice(ThemeChoice choice);
    // For tests and unusual desktops: the desktop preference to use instead
    // of asking gsettings (nothing: ask again).
    void setDesktopPreferenceOverride(std::optional<bool> prefersDark);

signals:
    void themeChanged(bool dark);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void apply();
    std::optional<bool> desktopPreference() const;

    ThemeChoice choice_ = ThemeChoice::System;
    bool dark_ = false;
    bool applying_ = false;
    bool overridden_ = false;
    std::optional<bool> override_;
    QPalette platformPalette_; // as the platform gave it, before ours
    class QTimer* recheck_ = nullptr;
};

} // namespace nexus::app
