#pragma once
// The state tree of a run at the cursor: a lazy QAbstractItemModel over a
// shared, immutable JSON document. Children are created only when a view
// asks for them, so a state with 100k entries costs nothing until expanded.
//
// setState() keeps the tree when it can: when both documents are containers
// of the same kind, it diffs the nodes a view has seen against the new
// document and emits rowsRemoved / rowsInserted / dataChanged, so expansion,
// selection and scroll position survive time travel. Anything else (no state
// <-> state, object <-> array, a scalar document) is a model reset.
//
// Text is plain: keys as typed, scalars as their JSON text (64-bit integers
// exact, floats in shortest round-trip form), containers as "{3 keys}" or
// "[5 items]". Paths are RFC 6901 JSON Pointers ("/a~1b/0").

#include "models/RunStore.h"

#include <QAbstractItemModel>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace nexus::models {

class JsonTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column
    {
        KeyColumn,
        ValueColumn,
        TypeColumn,
        ColumnCount
    };

    enum Role
    {
        PathRole = Qt::UserRole + 1, // QString: JSON Pointer of the item ("" for a scalar document)
        ValueJsonRole,               // QString: compact JSON text of the whole subtree
        ChangeRole,                  // int: Highlight
        JsonTypeRole,                // QString: same as the Type column
    };

    enum Highlight
    {
        NoHighlight,
        AddedHighlight,   // the path was added at the current step
        ChangedHighlight, // the path's value changed at the current step
        InsideHighlight,  // something below this container was added, changed or removed
    };

    // Display text of a scalar is cut after this many characters (with "…");
    // ValueJsonRole always carries the whole text.
    static constexpr int kDisplayChars = 400;

    explicit JsonTreeModel(QObject* parent = nullptr);
    ~JsonTreeModel() override;

    // Null: no state (no rows). The document is shared, never copied.
    void setState(std::shared_ptr<const nlohmann::json> state);
    const std::shared_ptr<const nlohmann::json>& state() const { return state_; }
    // Paths added / changed at the current step are highlighted; removed
    // paths mark their container. Replaces the previous highlights.
    void setHighlights(const std::vector<PathChange>& changes);
    void clear();

    // The item at a JSON Pointer (creating the nodes on the way); invalid if
    // the document has no such path.
    QModelIndex indexForPath(std::string_view pointer, int column = KeyColumn) const;
    QString pathOf(const QModelIndex& index) const;

    // RFC 6901: "~" -> "~0", "/" -> "~1".
    static std::string escapePointerToken(std::string_view token);
    static std::string appendPointer(std::string_view pointer, std::string_view token);
    // "/a~1b/0" -> {"a/b", "0"}; "" -> {}.
    static std::vector<std::string> splitPointer(std::string_view pointer);

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    bool hasChildren(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;

private:
    struct Node;

    Node* nodeOf(const QModelIndex& index) const;
    QModelIndex indexOf(const Node* node, int column = KeyColumn) const;
    int childCount(const Node& node) const;
    void build(const Node& node) const;
    const std::string& pathOfNode(const Node& node) const;
    Highlight highlightOf(const Node& node) const;

    bool updateChildren(Node& node, const QModelIndex& nodeIndex, const nlohmann::json& next);
    bool updateObject(Node& node, const QModelIndex& nodeIndex, const nlohmann::json& next);
    bool updateArray(Node& node, const QModelIndex& nodeIndex, const nlohmann::json& next);
    bool updateChild(Node& child, const nlohmann::json& next);
    void replaceSubtree(Node& node, const QModelIndex& nodeIndex, const nlohmann::json& next);
    void removeRowRanges(Node& node, const QModelIndex& nodeIndex, const std::vector<int>& rows);
    void emitChangedRows(const QModelIndex& parent, const std::vector<const Node*>& nodes);
    static const Node* childForToken(const Node& node, const std::string& token);
    void resetTo(std::shared_ptr<const nlohmann::json> state);
    void collectBuiltNodes(std::string_view pointer, std::unordered_set<const Node*>& out) const;

    std::shared_ptr<const nlohmann::json> state_;
    std::unique_ptr<Node> root_; // invisible; its value is the document
    bool hasDocument_ = false;
    std::unordered_map<std::string, ChangeKind> highlights_;
    std::unordered_set<std::string> highlightAncestors_;
};

} // namespace nexus::models
