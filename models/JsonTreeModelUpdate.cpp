// JsonTreeModel: updating the tree in place when a new state arrives
// (rows inserted / removed / changed instead of a reset where the shape
// allows it).
#include "models/JsonTreeModel.h"
#include "models/JsonTreeModelNode.h"

#include <algorithm>
#include <utility>

namespace nexus::models {

using json = nlohmann::json;
using namespace jsontree;

void JsonTreeModel::resetTo(std::shared_ptr<const json> state)
{
    beginResetModel();
    state_ = std::move(state);
    hasDocument_ = bool(state_);
    root_ = std::make_unique<Node>();
    root_->value = state_ ? state_.get() : &nullJson();
    endResetModel();
}

void JsonTreeModel::setState(std::shared_ptr<const json> state)
{
    if (state == state_)
        return;
    const bool inPlace =
        state && state_ && state->is_structured() && state->type() == state_->type();
    if (!inPlace) {
        resetTo(std::move(state));
        return;
    }
    // The old document stays alive until every node points into the new one.
    auto previous = std::exchange(state_, std::move(state));
    updateChildren(*root_, QModelIndex(), *state_);
}

// `node` and `next` are containers of the same kind. Returns whether
// anything in the subtree changed.
bool JsonTreeModel::updateChildren(Node& node, const QModelIndex& nodeIndex, const json& next)
{
    if (!node.built) {
        // No view has seen the children: only the row count is observable.
        const bool changed = *node.value != next;
        if (changed && !sameShape(*node.value, next))
            replaceSubtree(node, nodeIndex, next);
        node.value = &next;
        return changed;
    }
    const bool changed =
        next.is_object() ? updateObject(node, nodeIndex, next) : updateArray(node, nodeIndex, next);
    node.value = &next;
    return changed;
}

bool JsonTreeModel::updateObject(Node& node, const QModelIndex& nodeIndex, const json& next)
{
    const auto& members = next.get_ref<const json::object_t&>();
    bool changed = false;

    std::vector<int> removed;
    for (const auto& child : node.children)
        if (members.find(*child->key) == members.end())
            removed.push_back(child->row);
    // Each inserted or removed run renumbers the rows after it: with many
    // of them in a big object, starting that object over is cheaper.
    const std::size_t added = members.size() - (node.children.size() - removed.size());
    if (removed.size() + added > 64 && node.children.size() > 4096) {
        replaceSubtree(node, nodeIndex, next);
        return true;
    }
    if (!removed.empty()) {
        changed = true;
        removeRowRanges(node, nodeIndex, removed);
    }

    // Rows move when keys are inserted below: remember nodes, not rows.
    std::vector<const Node*> changedNodes;
    for (const auto& child : node.children) {
        auto it = members.find(*child->key);
        child->key = &it->first;
        if (updateChild(*child, it->second))
            changedNodes.push_back(child.get());
    }
    if (!changedNodes.empty())
        changed = true;

    // Members and children are both in key order: a merge walk finds the
    // runs of new keys and where they go.
    std::size_t row = 0;
    for (auto it = members.begin(); it != members.end();) {
        if (row < node.children.size() && *node.children[row]->key == it->first) {
            ++row;
            ++it;
            continue;
        }
        std::vector<std::unique_ptr<Node>> run;
        while (it != members.end() &&
               !(row < node.children.size() && *node.children[row]->key == it->first)) {
            auto child = std::make_unique<Node>();
            child->parent = &node;
            child->key = &it->first;
            child->value = &it->second;
            run.push_back(std::move(child));
            ++it;
        }
        const int first = int(row);
        beginInsertRows(nodeIndex, first, first + int(run.size()) - 1);
        node.children.insert(node.children.begin() + std::ptrdiff_t(row),
                             std::make_move_iterator(run.begin()),
                             std::make_move_iterator(run.end()));
        for (std::size_t i = row; i < node.children.size(); ++i)
            node.children[i]->row = int(i);
        endInsertRows();
        row += run.size();
        changed = true;
    }
    emitChangedRows(nodeIndex, changedNodes);
    return changed;
}

bool JsonTreeModel::updateArray(Node& node, const QModelIndex& nodeIndex, const json& next)
{
    const auto& items = next.get_ref<const json::array_t&>();
    const std::size_t oldCount = node.children.size();
    const std::size_t common = std::min(oldCount, items.size());
    bool changed = oldCount != items.size();

    std::vector<const Node*> changedNodes;
    for (std::size_t i = 0; i < common; ++i)
        if (updateChild(*node.children[i], items[i]))
            changedNodes.push_back(node.children[i].get());
    if (oldCount > items.size()) {
        beginRemoveRows(nodeIndex, int(items.size()), int(oldCount) - 1);
        node.children.resize(items.size());
        endRemoveRows();
    } else if (items.size() > oldCount) {
        beginInsertRows(nodeIndex, int(oldCount), int(items.size()) - 1);
        for (std::size_t i = oldCount; i < items.size(); ++i) {
            auto child = std::make_unique<Node>();
            child->parent = &node;
            child->value = &items[i];
            child->row = int(i);
            node.children.push_back(std::move(child));
        }
        endInsertRows();
    }
    if (!changedNodes.empty())
        changed = true;
    emitChangedRows(nodeIndex, changedNodes);
    return changed;
}

// Points a kept child at its new value; returns whether its row must be
// repainted (its value, its type or anything below it changed).
bool JsonTreeModel::updateChild(Node& child, const json& next)
{
    const json& old = *child.value;
    const QModelIndex childIndex = createIndex(child.row, 0, &child);
    if (old.is_structured() && next.is_structured() && old.type() == next.type())
        return updateChildren(child, childIndex, next);
    if (old.is_structured() || next.is_structured()) {
        replaceSubtree(child, childIndex, next);
        return true;
    }
    const bool changed = old.type() != next.type() || old != next;
    child.value = &next;
    return changed;
}

// Drops every child row of `node` and makes it show `next` instead.
void JsonTreeModel::replaceSubtree(Node& node, const QModelIndex& nodeIndex, const json& next)
{
    const int oldCount = childCount(node);
    if (oldCount > 0) {
        beginRemoveRows(nodeIndex, 0, oldCount - 1);
        node.children.clear();
        node.built = true;
        endRemoveRows();
    }
    const int newCount = containerSize(next);
    if (newCount > 0)
        beginInsertRows(nodeIndex, 0, newCount - 1);
    node.children.clear();
    node.value = &next;
    node.built = false;
    if (newCount > 0)
        endInsertRows();
}

void JsonTreeModel::removeRowRanges(Node& node, const QModelIndex& nodeIndex,
                                    const std::vector<int>& rows)
{
    // `rows` ascending; remove contiguous runs from the back so earlier
    // rows keep their numbers while we go.
    std::size_t end = rows.size();
    while (end > 0) {
        std::size_t begin = end - 1;
        while (begin > 0 && rows[begin - 1] == rows[begin] - 1)
            --begin;
        const int first = rows[begin];
        const int last = rows[end - 1];
        beginRemoveRows(nodeIndex, first, last);
        node.children.erase(node.children.begin() + first, node.children.begin() + last + 1);
        for (std::size_t i = std::size_t(first); i < node.children.size(); ++i)
            node.children[i]->row = int(i);
        endRemoveRows();
        end = begin;
    }
}

void JsonTreeModel::emitChangedRows(const QModelIndex& parent,
                                    const std::vector<const Node*>& nodes)
{
    std::vector<int> rows;
    rows.reserve(nodes.size());
    for (const Node* n : nodes)
        rows.push_back(n->row);
    std::sort(rows.begin(), rows.end());
    std::size_t i = 0;
    while (i < rows.size()) {
        std::size_t j = i;
        while (j + 1 < rows.size() && rows[j + 1] == rows[j] + 1)
            ++j;
        emit dataChanged(index(rows[i], 0, parent), index(rows[j], ColumnCount - 1, parent));
        i = j + 1;
    }
}

// --- highlights ------------------------------------------------------------

void JsonTreeModel::collectBuiltNodes(std::string_view pointer,
                                      std::unordered_set<const Node*>& out) const
{
    if (!state_)
        return;
    const Node* node = root_.get();
    if (!state_->is_structured()) {
        if (node->built)
            out.insert(node->children.front().get());
        return;
    }
    for (const std::string& token : splitPointer(pointer)) {
        if (!node->built)
            return;
        node = childForToken(*node, token);
        if (!node)
            return;
        out.insert(node);
    }
}

} // namespace nexus::models
