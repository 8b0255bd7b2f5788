#include "widgets/KpiTiles.h"

#include "models/FleetModel.h"
#include "widgets/ThemeStyle.h"

#include <QFrame>
#include <QGridLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace nexus::widgets {
namespace {

struct TileSpec
{
    const char* caption;
    const char* accent;
};

constexpr TileSpec kTiles[KpiTiles::TileCount] = {
    {"Instances", "#455a64"},  {"Healthy", "#2e7d32"},     {"Degraded", "#ef8f00"},
    {"Unhealthy", "#c62828"},  {"Stale", "#757575"},       {"Runs/s", "#1565c0"},
    {"Error rate", "#c62828"}, {"p95 latency", "#6a1b9a"}, {"Quality", "#00838f"},
    {"Cost/hour", "#5d4037"},
};

} // namespace

KpiTiles::KpiTiles(QWidget* parent) : QWidget(parent)
{
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(6);
    for (int i = 0; i < TileCount; ++i) {
        auto* tile = new QFrame(this);
        tile->setObjectName(QStringLiteral("kpiTile"));
        tile->setFrameShape(QFrame::StyledPanel);
        setThemedStyleSheet(
            tile, QStringLiteral("#kpiTile { border: 1px solid #d0d0d0; border-left: 4px "
                                 "solid %1; border-radius: 4px; background: palette(base); }")
                      .arg(QLatin1String(kTiles[i].accent)));
        auto* box = new QVBoxLayout(tile);
        box->setContentsMargins(10, 6, 10, 6);
        box->setSpacing(0);
        auto* value = new QLabel(QStringLiteral("\u2014"), tile);
        value->setTextFormat(Qt::PlainText);
        QFont big = value->font();
        big.setPointSizeF(big.pointSizeF() * 1.6);
        big.setBold(true);
        value->setFont(big);
        auto* caption = new QLabel(QString::fromLatin1(kTiles[i].caption), tile);
        caption->setTextFormat(Qt::PlainText);
        setThemedStyleSheet(caption, QStringLiteral("color: #5f6368;"));
        box->addWidget(value);
        box->addWidget(caption);
        values_[std::size_t(i)] = value;
        grid->addWidget(tile, 0, i);
    }
}

void KpiTiles::setModel(nexus::models::FleetModel* model)
{
    if (!model)
        return;
    connect(model, &nexus::models::FleetModel::totalsChanged, this, &KpiTiles::setTotals);
    setTotals(model->totals());
}

void KpiTiles::setTotals(const nexus::v1::FleetTotals& t)
{
    using nexus::models::FleetModel;
    const auto set = [this](Tile tile, const QString& text) {
        values_[std::size_t(tile)]->setText(text);
    };
    set(Instances, QString::number(t.instances()));
    set(Healthy, QString::number(t.healthy()));
    set(Degraded, QString::number(t.degraded()));
    set(Unhealthy, QString::number(t.unhealthy()));
    set(Stale, QString::number(t.stale()));
    set(RunsPerSec, QString::number(t.runs_per_sec(), 'f', 1));
    set(ErrorRate, FleetModel::formatPercent(t.error_rate()));
    set(LatencyP95, FleetModel::formatLatency(t.latency_p95_ms()));
    set(Quality, QString::number(t.quality(), 'f', 2));
    set(CostPerHour, FleetModel::formatCost(t.cost_per_hour_micros()));
}

QString KpiTiles::valueText(Tile tile) const
{
    return values_[std::size_t(tile)]->text();
}

} // namespace nexus::widgets
