#pragma once
// The review queue's status filter as a row of chips with counts: "All 16",
// "Pending 12", "Approved 3", "Rejected 1", "Superseded 0". One chip is
// active (the filter in force); clicking a chip emits statusClicked with its
// key ("" for All) — the console filters and calls setActiveStatus.

#include <QMap>
#include <QWidget>

class QAbstractButton;
class QButtonGroup;

namespace nexus::widgets {

class KnowledgeCountsBar : public QWidget
{
    Q_OBJECT
public:
    explicit KnowledgeCountsBar(QWidget* parent = nullptr);

    // Keys as knowledgefmt::statusKey; a missing key counts 0. "All" is the sum.
    void setCounts(const QMap<QString, qint64>& counts);
    void setActiveStatus(const QString& key); // "" = all; no signal
    QString activeStatus() const;

    QAbstractButton* chip(const QString& key) const; // for tests
    QString chipText(const QString& key) const;

signals:
    void statusClicked(const QString& key);

private:
    QButtonGroup* group_ = nullptr;
    QMap<QString, QAbstractButton*> chips_;
};

} // namespace nexus::widgets
