#include "models/JsonTreeModel.h"

#include "models/JsonTreeModelNode.h"

#include <QBrush>
#include <QColor>

#include <algorithm>
#include <charconv>
#include <utility>

namespace nexus::models {

using json = nlohmann::json;

namespace jsontree {

const json& nullJson()
{
    static const json value;
    return value;
}

int containerSize(const json& value)
{
    return value.is_structured() ? int(value.size()) : 0;
}

bool sameShape(const json& a, const json& b)
{
    if (a.type() != b.type() || a.size() != b.size())
        return false;
    if (!a.is_object())
        return true;
    const auto& x = a.get_ref<const json::object_t&>();
    const auto& y = b.get_ref<const json::object_t&>();
    return std::equal(x.begin(), x.end(), y.begin(),
                      [](const auto& l, const auto& r) { return l.first == r.first; });
}

} // namespace jsontree

using namespace jsontree;

namespace {

// Same member names in the same order (objects) or the same length (arrays).

std::string dumpCompact(const json& value)
{
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A UTF-8 prefix of at most `bytes` bytes that does not split a code point.
std::string_view utf8Prefix(std::string_view text, std::size_t bytes)
{
    if (text.size() <= bytes)
        return text;
    while (bytes > 0 && (static_cast<unsigned char>(text[bytes]) & 0xc0) == 0x80)
        --bytes;
    return text.substr(0, bytes);
}

QString scalarText(const json& value)
{
    if (value.is_string()) {
        const auto& s = value.get_ref<const std::string&>();
        constexpr std::size_t kBytes = JsonTreeModel::kDisplayChars * 2;
        if (s.size() > kBytes) {
            QString text = QString::fromStdString(dumpCompact(json(utf8Prefix(s, kBytes))));
            text.chop(1); // the closing quote: the string goes on
            return text.left(JsonTreeModel::kDisplayChars) + QChar(0x2026);
        }
    }
    QString text = QString::fromStdString(dumpCompact(value));
    if (text.size() > JsonTreeModel::kDisplayChars)
        text = text.left(JsonTreeModel::kDisplayChars) + QChar(0x2026);
    return text;
}

QString valueText(const json& value)
{
    if (value.is_object())
        return value.size() == 1 ? QStringLiteral("{1 key}")
                                 : QStringLiteral("{%1 keys}").arg(qulonglong(value.size()));
    if (value.is_array())
        return value.size() == 1 ? QStringLiteral("[1 item]")
                                 : QStringLiteral("[%1 items]").arg(qulonglong(value.size()));
    return scalarText(value);
}

QString typeText(const json& value)
{
    switch (value.type()) {
    case json::value_t::object:
        return QStringLiteral("object");
    case json::value_t::array:
        return QStringLiteral("array");
    case json::value_t::string:
        return QStringLiteral("string");
    case json::value_t::boolean:
        return QStringLiteral("boolean");
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
        return QStringLiteral("integer");
    case json::value_t::number_float:
        return QStringLiteral("float");
    case json::value_t::binary:
        return QStringLiteral("binary");
    default:
        return QStringLiteral("null");
    }
}

// Light backgrounds with dark text, readable in light and dark themes.
QColor highlightBackground(JsonTreeModel::Highlight h)
{
    switch (h) {
    case JsonTreeModel::AddedHighlight:
        return QColor(0xd7, 0xf0, 0xd4);
    case JsonTreeModel::ChangedHighlight:
        return QColor(0xff, 0xec, 0xb3);
    case JsonTreeModel::InsideHighlight:
        return QColor(0xf4, 0xf0, 0xe2);
    default:
        return {};
    }
}

} // namespace

JsonTreeModel::JsonTreeModel(QObject* parent)
    : QAbstractItemModel(parent), root_(std::make_unique<Node>())
{}

JsonTreeModel::~JsonTreeModel() = default;

std::string JsonTreeModel::escapePointerToken(std::string_view token)
{
    std::string out;
    out.reserve(token.size());
    for (char c : token) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

std::string JsonTreeModel::appendPointer(std::string_view pointer, std::string_view token)
{
    std::string out(pointer);
    out += '/';
    out += escapePointerToken(token);
    return out;
}

std::vector<std::string> JsonTreeModel::splitPointer(std::string_view pointer)
{
    std::vector<std::string> tokens;
    if (pointer.empty() || pointer.front() != '/')
        return tokens;
    std::size_t pos = 1;
    while (true) {
        const std::size_t slash = pointer.find('/', pos);
        const std::string_view raw = pointer.substr(
            pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
        std::string token;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
                token += raw[i + 1] == '0' ? '~' : '/';
                ++i;
            } else {
                token += raw[i];
            }
        }
        tokens.push_back(std::move(token));
        if (slash == std::string_view::npos)
            break;
        pos = slash + 1;
    }
    return tokens;
}

// --- lazy tree ------------------------------------------------------------

JsonTreeModel::Node* JsonTreeModel::nodeOf(const QModelIndex& index) const
{
    return index.isValid() ? static_cast<Node*>(index.internalPointer()) : root_.get();
}

QModelIndex JsonTreeModel::indexOf(const Node* node, int column) const
{
    if (!node || node == root_.get())
        return {};
    return createIndex(node->row, column, const_cast<Node*>(node));
}

int JsonTreeModel::childCount(const Node& node) const
{
    if (node.built)
        return int(node.children.size());
    if (&node == root_.get())
        return !hasDocument_ ? 0 : (node.value->is_structured() ? int(node.value->size()) : 1);
    return node.isDocument ? 0 : containerSize(*node.value);
}

void JsonTreeModel::build(const Node& node) const
{
    if (node.built)
        return;
    node.built = true;
    auto* self = const_cast<Node*>(&node);
    const json& value = *node.value;
    if (&node == root_.get() && hasDocument_ && !value.is_structured()) {
        auto child = std::make_unique<Node>();
        child->parent = self;
        child->value = &value;
        child->isDocument = true;
        node.children.push_back(std::move(child));
        return;
    }
    if (node.isDocument || !value.is_structured())
        return;
    node.children.reserve(value.size());
    int row = 0;
    if (value.is_object()) {
        for (const auto& [key, member] : value.get_ref<const json::object_t&>()) {
            auto child = std::make_unique<Node>();
            child->parent = self;
            child->value = &member;
            child->key = &key;
            child->row = row++;
            node.children.push_back(std::move(child));
        }
    } else {
        for (const auto& item : value.get_ref<const json::array_t&>()) {
            auto child = std::make_unique<Node>();
            child->parent = self;
            child->value = &item;
            child->row = row++;
            node.children.push_back(std::move(child));
        }
    }
}

const std::string& JsonTreeModel::pathOfNode(const Node& node) const
{
    if (node.pathKnown)
        return node.path;
    if (node.isDocument || !node.parent) {
        node.path.clear();
    } else {
        const std::string& parentPath = pathOfNode(*node.parent);
        node.path = node.key ? appendPointer(parentPath, *node.key)
                             : appendPointer(parentPath, std::to_string(node.row));
    }
    node.pathKnown = true;
    return node.path;
}

JsonTreeModel::Highlight JsonTreeModel::highlightOf(const Node& node) const
{
    if (highlights_.empty())
        return NoHighlight;
    const std::string& path = pathOfNode(node);
    if (auto it = highlights_.find(path); it != highlights_.end()) {
        if (it->second == ChangeKind::Added)
            return AddedHighlight;
        if (it->second == ChangeKind::Changed)
            return ChangedHighlight;
    }
    return highlightAncestors_.count(path) ? InsideHighlight : NoHighlight;
}

QModelIndex JsonTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (column < 0 || column >= ColumnCount || row < 0)
        return {};
    if (parent.isValid() && parent.column() != 0)
        return {};
    const Node* node = nodeOf(parent);
    if (row >= childCount(*node))
        return {};
    build(*node);
    return createIndex(row, column, node->children[std::size_t(row)].get());
}

QModelIndex JsonTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    return indexOf(nodeOf(child)->parent);
}

int JsonTreeModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return childCount(*nodeOf(parent));
}

int JsonTreeModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

bool JsonTreeModel::hasChildren(const QModelIndex& parent) const
{
    return rowCount(parent) > 0;
}

Qt::ItemFlags JsonTreeModel::flags(const QModelIndex& index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    // Never ItemNeverHasChildren: a scalar can become a container at the next step.
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable;
}

QVariant JsonTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case KeyColumn:
        return QStringLiteral("Key");
    case ValueColumn:
        return QStringLiteral("Value");
    case TypeColumn:
        return QStringLiteral("Type");
    default:
        return {};
    }
}

QVariant JsonTreeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const Node& node = *nodeOf(index);
    const json& value = *node.value;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case KeyColumn:
            if (node.isDocument)
                return QStringLiteral("(document)");
            return node.key ? QString::fromStdString(*node.key)
                            : QStringLiteral("[%1]").arg(node.row);
        case ValueColumn:
            return valueText(value);
        case TypeColumn:
            return typeText(value);
        }
        return {};
    case Qt::ToolTipRole: {
        // Plain text; the view must not interpret it as markup.
        const QString path = QString::fromStdString(pathOfNode(node));
        if (index.column() != ValueColumn)
            return path.isEmpty() ? QStringLiteral("(document)") : path;
        QString text = value.is_structured() ? valueText(value) : scalarText(value);
        return path + QLatin1Char('\n') + text;
    }
    case PathRole:
        return QString::fromStdString(pathOfNode(node));
    case ValueJsonRole:
        return QString::fromStdString(dumpCompact(value));
    case JsonTypeRole:
        return typeText(value);
    case ChangeRole:
        return int(highlightOf(node));
    case Qt::BackgroundRole: {
        const QColor c = highlightBackground(highlightOf(node));
        return c.isValid() ? QVariant(QBrush(c)) : QVariant();
    }
    case Qt::ForegroundRole:
        if (highlightOf(node) != NoHighlight)
            return QBrush(QColor(0x21, 0x21, 0x21));
        if (index.column() == TypeColumn ||
            (index.column() == ValueColumn && value.is_structured()))
            return QBrush(QColor(0x75, 0x75, 0x75));
        return {};
    default:
        return {};
    }
}

QString JsonTreeModel::pathOf(const QModelIndex& index) const
{
    return index.isValid() ? QString::fromStdString(pathOfNode(*nodeOf(index))) : QString();
}

// The built child of a built container named by one pointer token.
const JsonTreeModel::Node* JsonTreeModel::childForToken(const Node& node, const std::string& token)
{
    const auto& children = node.children;
    if (node.value->is_object()) {
        auto it = std::lower_bound(
            children.begin(), children.end(), token,
            [](const std::unique_ptr<Node>& n, const std::string& k) { return *n->key < k; });
        return it != children.end() && *(*it)->key == token ? it->get() : nullptr;
    }
    if (!node.value->is_array() || token.empty() || (token.size() > 1 && token.front() == '0'))
        return nullptr;
    std::size_t i = 0;
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), i);
    if (ec != std::errc() || end != token.data() + token.size() || i >= children.size())
        return nullptr;
    return children[i].get();
}

QModelIndex JsonTreeModel::indexForPath(std::string_view pointer, int column) const
{
    if (!state_)
        return {};
    if (!state_->is_structured())
        return pointer.empty() ? index(0, column) : QModelIndex();
    const Node* node = root_.get();
    for (const std::string& token : splitPointer(pointer)) {
        build(*node);
        node = childForToken(*node, token);
        if (!node)
            return {};
    }
    return indexOf(node, column);
}

// --- updates ---------------------------------------------------------------

void JsonTreeModel::clear()
{
    highlights_.clear();
    highlightAncestors_.clear();
    resetTo(nullptr);
}

void JsonTreeModel::setHighlights(const std::vector<PathChange>& changes)
{
    std::unordered_set<const Node*> touched;
    for (const auto& [path, kind] : highlights_)
        collectBuiltNodes(path, touched);

    highlights_.clear();
    highlightAncestors_.clear();
    for (const PathChange& change : changes) {
        highlights_[change.path] = change.kind;
        // Every proper prefix is a container that holds a change.
        std::size_t slash = change.path.rfind('/');
        while (slash != std::string::npos) {
            if (!highlightAncestors_.insert(change.path.substr(0, slash)).second)
                break;
            if (slash == 0)
                break;
            slash = change.path.rfind('/', slash - 1);
        }
        collectBuiltNodes(change.path, touched);
    }
    for (const Node* node : touched)
        emit dataChanged(indexOf(node, 0), indexOf(node, ColumnCount - 1),
                         {Qt::BackgroundRole, Qt::ForegroundRole, ChangeRole});
}

} // namespace nexus::models
