#pragma once
// Instance comparison: a header with the compared instances (colour chips,
// the baseline marked, ✕ to remove), a search box to add one by id and the
// time range selector; then the charts (ComparisonCharts), the identity table
// (differences from the baseline highlighted) and the table of deltas
// (significant rows bold, green when better, red when worse). Bound to a
// ComparisonModel; intents only: instancesChanged and rangeChanged — the app
// sets the model's instances and fetches.

#include <QStringList>
#include <QWidget>

class QButtonGroup;
class QCheckBox;
class QChart;
class QCompleter;
class QLabel;
class QLineEdit;
class QPushButton;
class QSplitter;
class QStackedWidget;
class QTableView;
class QTimer;

namespace nexus::models {
class ComparisonModel;
}

namespace nexus::widgets {

class ComparisonCharts;
class InstanceChips;

class ComparisonView : public QWidget
{
    Q_OBJECT
public:
    explicit ComparisonView(QWidget* parent = nullptr);

    // Bind after the model has its fleet (the search box completes over it).
    void setModel(nexus::models::ComparisonModel* model);
    void setRangeSeconds(int seconds); // selects the button; emits nothing
    int rangeSeconds() const { return rangeSeconds_; }

    // For tests and the app's layout.
    QChart* chart(int metricIndex) const;
    QTableView* identityTable() const { return identity_; }
    QTableView* deltasTable() const { return deltas_; }
    bool showsEmptyState() const;

public slots:
    void refresh();                      // rebuild header and charts now (normally coalesced)
    void addInstance(const QString& id); // validates, then emits instancesChanged
    void removeInstance(const QString& id);
    void makeBaseline(const QString& id);

signals:
    void instancesChanged(const QStringList& instanceIds); // the wanted set, baseline first
    void rangeChanged(int seconds);                        // 900, 3600, 21600 or 86400

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QWidget* makeHeader();
    QWidget* makeContent();
    void updateState();
    void fitIdentityHeight();
    void balanceSplitter(); // until the user drags it: tables get what they need, up to 55 %
    void say(const QString& message); // a short note beside the search box

    nexus::models::ComparisonModel* model_ = nullptr;
    InstanceChips* chips_ = nullptr;
    QLabel* notice_ = nullptr;
    QLineEdit* search_ = nullptr;
    QCompleter* completer_ = nullptr;
    QPushButton* add_ = nullptr;
    QLabel* message_ = nullptr;
    QButtonGroup* ranges_ = nullptr;
    QStackedWidget* stack_ = nullptr;
    QSplitter* splitter_ = nullptr;
    QWidget* tables_ = nullptr;
    bool userSizedSplitter_ = false;
    ComparisonCharts* charts_ = nullptr;
    QTableView* identity_ = nullptr;
    QTableView* deltas_ = nullptr;
    QCheckBox* significantOnly_ = nullptr;
    QTimer* coalesce_ = nullptr;
    int rangeSeconds_ = 3600;
};

} // namespace nexus::widgets
