#pragma once
// Style sheets that follow the light and dark themes. Widgets write their
// style sheets for the light theme (as they always did); in a dark palette
// the colours in them are mirrored: text and border colours get the
// opposite lightness (same hue), backgrounds become dark tints of the same
// hue. The widget is re-styled whenever the application palette changes
// (View > Theme), so nothing stays a white box in the dark theme.

#include <QString>

class QPalette;
class QWidget;

namespace nexus::widgets {

// True when the palette's window colour is darker than mid grey.
bool isDarkPalette(const QPalette& palette);
// The application's palette is dark (the dark theme is applied).
bool darkThemeActive();

// `lightStyleSheet` with every #rrggbb colour mirrored for a dark
// background (see above); other text is unchanged.
QString darkStyleSheet(const QString& lightStyleSheet);

// widget->setStyleSheet(lightStyleSheet) in the light theme, its
// darkStyleSheet in the dark one; kept right across theme switches. Call
// again to change the style sheet.
void setThemedStyleSheet(QWidget* widget, const QString& lightStyleSheet);

} // namespace nexus::widgets
