#pragma once
// Tool tips are rendered as rich text whenever Qt::mightBeRichText() says so,
// and model tool tips carry outside strings (instance ids, node names, entry
// titles, error messages from the wire). Passed through plainToolTip() they
// are shown exactly as typed (DESIGN.md §8: text from the wire is plain).

#include <QString>
#include <QVariant>
#include <Qt>

namespace nexus::models {

// Text Qt would take for markup, escaped and wrapped so that it shows as
// typed (line breaks kept); other text unchanged.
QString plainToolTip(const QString& text);
// The same for a data() result: strings escaped, anything else unchanged.
QVariant plainToolTip(const QVariant& tip);

// Models whose display and tool-tip texts share a switch answer this role
// with the raw tip, and Qt::ToolTipRole with plainToolTip() of it.
inline constexpr int kRawToolTipRole = Qt::UserRole + 0x7000;

} // namespace nexus::models
