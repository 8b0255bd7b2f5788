#pragma once
// Private to GraphCanvas.cpp and GraphCanvasItems.cpp (the scene items'
// building and styling): what both halves of GraphCanvas use.

#include <QString>

#include <string>

namespace nexus::widgets::graphcanvas {

constexpr int kNameKey = 0; // QGraphicsItem::data key: the node's name

inline QString qs(const std::string& text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

} // namespace nexus::widgets::graphcanvas
