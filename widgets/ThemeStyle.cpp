#include "widgets/ThemeStyle.h"

#include <QApplication>
#include <QColor>
#include <QEvent>
#include <QPalette>
#include <QRegularExpression>
#include <QSet>
#include <QVariant>
#include <QWidget>

#include <algorithm>

namespace nexus::widgets {

namespace {

const char* const kLightProperty = "nexusLightStyleSheet";

// The property a colour belongs to: the word before the nearest ':' since
// the last ';' or '{'.
QString propertyAt(const QString& sheet, qsizetype position)
{
    const qsizetype start =
        std::max(sheet.lastIndexOf(u';', position), sheet.lastIndexOf(u'{', position)) + 1;
    const qsizetype colon = sheet.indexOf(u':', start);
    if (colon < 0 || colon > position)
        return {};
    return sheet.mid(start, colon - start).trimmed().toLower();
}

QColor mirrored(const QColor& light, bool background)
{
    float h = 0, s = 0, l = 0, a = 1;
    light.getHslF(&h, &s, &l, &a);
    if (h < 0) { // achromatic
        h = 0;
        s = 0;
    }
    if (background) // a dark tint of the same hue, never darker than the window
        return QColor::fromHslF(h, std::min(s, 0.45f), std::clamp(1.12f - l, 0.17f, 0.30f), a);
    return QColor::fromHslF(h, s, 1.0f - l, a);
}

void applyThemed(QWidget* widget)
{
    const QString light = widget->property(kLightProperty).toString();
    const QString sheet = darkThemeActive() ? darkStyleSheet(light) : light;
    if (widget->styleSheet() != sheet)
        widget->setStyleSheet(sheet);
}

// Re-styles every themed widget when the application palette changes. A
// widget with a style sheet does not see that change itself (its palette
// comes from the sheet), so this watches the application.
class Restyler : public QObject
{
public:
    static Restyler& instance()
    {
        static auto* restyler = new Restyler(qApp);
        return *restyler;
    }

    void add(QWidget* widget)
    {
        if (widgets_.contains(widget))
            return;
        widgets_.insert(widget);
        connect(widget, &QObject::destroyed, this, [this, widget] { widgets_.remove(widget); });
    }

    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (watched == qApp && event->type() == QEvent::ApplicationPaletteChange)
            for (QWidget* widget : std::as_const(widgets_))
                applyThemed(widget);
        return QObject::eventFilter(watched, event);
    }

private:
    explicit Restyler(QObject* parent) : QObject(parent) { qApp->installEventFilter(this); }

    QSet<QWidget*> widgets_;
};

} // namespace

bool isDarkPalette(const QPalette& palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

bool darkThemeActive()
{
    return isDarkPalette(QApplication::palette());
}

QString darkStyleSheet(const QString& lightStyleSheet)
{
    static const QRegularExpression hex(QStringLiteral("#[0-9a-fA-F]{6}\\b"));
    QString out;
    qsizetype last = 0;
    for (auto it = hex.globalMatch(lightStyleSheet); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        out += lightStyleSheet.mid(last, m.capturedStart() - last);
        const QString property = propertyAt(lightStyleSheet, m.capturedStart());
        const bool background = property.startsWith(QLatin1String("background"));
        out += mirrored(QColor(m.captured()), background).name();
        last = m.capturedEnd();
    }
    out += lightStyleSheet.mid(last);
    return out;
}

void setThemedStyleSheet(QWidget* widget, const QString& lightStyleSheet)
{
    Restyler::instance().add(widget);
    widget->setProperty(kLightProperty, lightStyleSheet);
    applyThemed(widget);
}

} // namespace nexus::widgets
