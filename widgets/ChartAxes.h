#pragma once
// Shared by the fleet and comparison charts: fits a time axis to the
// selected range and a value axis to the data, with round ticks and a
// minimum span so that a flat line (all zero errors, a steady quality) gets
// readable labels instead of five identical ones.

class QChart;
class QChartView;
class QDateTimeAxis;
class QPalette;
class QValueAxis;

namespace nexus::widgets {

struct AxisData
{
    double lo, hi; // values shown; lo > hi when there is no data
    double t0, t1; // milliseconds since the epoch
};

// An empty AxisData (lo > hi) gives an empty, labelled frame ending now.
AxisData emptyAxisData();

// Minimum visible value span for a chart's unit (for example 1 for percent).
void fitAxes(QDateTimeAxis* x, QValueAxis* y, AxisData data, int rangeSeconds, double minSpan);

// Colours a chart from a widget palette (light or dark theme): background,
// plot area, title, legend and every axis (labels, line, grid). Series
// colours are left alone. Call again after adding axes.
void styleChart(QChart* chart, const QPalette& palette);
// Styles the view's chart now and again whenever its palette changes.
void followPalette(QChartView* view);

} // namespace nexus::widgets
