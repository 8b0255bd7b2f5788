#pragma once
// Fleet totals as a row of tiles: instances (healthy / degraded / unhealthy /
// stale), runs/s, error rate, p95 latency, quality, cost per hour. Bind to a
// FleetModel (follows totalsChanged) or set totals directly.

#include "nexus/v1/fleet.pb.h"

#include <QWidget>

#include <array>

class QLabel;

namespace nexus::models {
class FleetModel;
}

namespace nexus::widgets {

class KpiTiles : public QWidget
{
    Q_OBJECT
public:
    enum Tile
    {
        Instances,
        Healthy,
        Degraded,
        Unhealthy,
        Stale,
        RunsPerSec,
        ErrorRate,
        LatencyP95,
        Quality,
        CostPerHour,
        TileCount
    };

    explicit KpiTiles(QWidget* parent = nullptr);

    void setModel(nexus::models::FleetModel* model);
    void setTotals(const nexus::v1::FleetTotals& totals);
    QString valueText(Tile tile) const; // for tests

private:
    std::array<QLabel*, TileCount> values_{};
};

} // namespace nexus::widgets
