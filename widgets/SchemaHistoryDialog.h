#pragma once
// Schema history per graph (DASHSTREAM.md §5.1: compare schemas by schema_id):
// every schema id a graph ran with, when it was first and last seen, in how
// many runs, what changed from the one before (nodes and edges added or
// removed), and the selected schema drawn on a canvas.

#include "models/RunStore.h"

#include <QDialog>

#include <map>
#include <string>
#include <vector>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QTableWidget;

namespace nexus::widgets {

class GraphCanvas;

class SchemaHistoryDialog : public QDialog
{
    Q_OBJECT
public:
    using History = std::map<std::string, std::vector<models::SchemaObservation>>;
    // Copies what it shows: the dialog does not follow the store.
    SchemaHistoryDialog(const QString& graphName, const History& history,
                        QWidget* parent = nullptr);

    void selectGraph(const QString& graphName);
    int schemaCount() const;
    QString changesText() const;

private:
    void showGraph(const QString& graphName);
    void showSchema(int row);

    History history_;
    QComboBox* graphs_;
    QTableWidget* table_;
    QPlainTextEdit* changes_;
    GraphCanvas* canvas_;
    std::vector<models::SchemaObservation> shown_;
};

// What changed between two graphs, one line per added/removed node or edge.
QStringList schemaChanges(const runtime::Graph* before, const runtime::Graph* after);

} // namespace nexus::widgets
