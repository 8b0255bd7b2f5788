#pragma once
// Private to JsonTreeModel*.cpp: the tree node and the JSON helpers both
// halves use (JsonTreeModel.cpp: reading; JsonTreeModelUpdate.cpp: updating
// the tree in place when a new state arrives).

#include "models/JsonTreeModel.h"

#include <memory>
#include <string>
#include <vector>

namespace nexus::models {

namespace jsontree {
using json = nlohmann::json;
const json& nullJson();
int containerSize(const json& value); // children of an object or array, else 0
bool sameShape(const json& a, const json& b);
} // namespace jsontree

struct JsonTreeModel::Node
{
    Node* parent = nullptr;
    const json* value = &jsontree::nullJson();
    const std::string* key = nullptr; // object member name; null for array items / the document
    int row = 0;
    bool isDocument = false; // a scalar document shown as one row
    mutable bool built = false;
    mutable std::vector<std::unique_ptr<Node>> children;
    mutable std::string path;
    mutable bool pathKnown = false;
};

} // namespace nexus::models
