#pragma once
// The instances of a comparison as chips (two rows beyond five): colour swatch, id (plain
// text), "baseline" on the first, and a ✕ to remove. A chip's context menu
// also makes it the baseline. Intents only.

#include <QStringList>
#include <QWidget>

class QVBoxLayout;

namespace nexus::widgets {

class InstanceChips : public QWidget
{
    Q_OBJECT
public:
    explicit InstanceChips(QWidget* parent = nullptr);

    void setInstances(const QStringList& ids); // the first is the baseline
    const QStringList& instances() const { return ids_; }

signals:
    void removeRequested(const QString& instanceId);
    void baselineRequested(const QString& instanceId);

private:
    QWidget* makeChip(int index);

    QVBoxLayout* layout_ = nullptr;
    QStringList ids_;
};

} // namespace nexus::widgets
