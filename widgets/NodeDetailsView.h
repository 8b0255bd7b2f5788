#pragma once
// Details of one node of a run at the cursor: its graph definition (type,
// description, fields, outgoing edges), and for the execution shown (the
// latest visit started at or before the cursor, or one the user picks):
// state, timing, config version/hash, tokens and cost, the error, the
// TokenChunk text assembled as it streams, tool calls with arguments and
// results, and the NODE_START/END attributes. All wire text is plain text.

#include "models/RunStore.h"

#include <QWidget>

class QComboBox;
class QFormLayout;
class QLabel;
class QPlainTextEdit;
class QTableWidget;
class QTabWidget;

namespace nexus::widgets {

class NodeDetailsView : public QWidget
{
    Q_OBJECT
public:
    explicit NodeDetailsView(QWidget* parent = nullptr);

    // `run` stays owned by the caller and must outlive the view's use of it
    // (call clear() before it goes away).
    void showNode(const models::Run* run, const QString& node, std::uint32_t cursorStep);
    // Refresh after new steps arrived (same run, node and cursor rules).
    void refresh(std::uint32_t cursorStep);
    void clear(const QString& reason = {});
    QString node() const { return node_; }
    // The span shown (index into Run::spans), -1 for none.
    int spanIndex() const { return spanIndex_; }

signals:
    // The user picked another visit: move the cursor to its end (or start).
    void stepRequested(std::uint32_t step);

private:
    void fill();
    void showSpan(int spanIndex);
    QLabel* addRow(const QString& label, const QString& objectName);

    const models::Run* run_ = nullptr;
    QString node_;
    int spanIndex_ = -1;
    bool pinnedVisit_ = false;
    std::vector<int> visits_; // span indexes of node_, oldest first

    QLabel* title_;
    QLabel* subtitle_;
    QComboBox* visit_;
    QTabWidget* tabs_;
    QFormLayout* form_;
    QLabel* state_;
    QLabel* started_;
    QLabel* duration_;
    QLabel* config_;
    QLabel* tokens_;
    QLabel* cost_;
    QLabel* model_;
    QLabel* error_;
    QLabel* definition_;
    QPlainTextEdit* tokenText_;
    QTableWidget* tools_;
    QTableWidget* attributes_;
};

QString formatDurationUs(std::int64_t us); // "850 µs", "12.3 ms", "1.24 s", "2 min 3 s"

} // namespace nexus::widgets
