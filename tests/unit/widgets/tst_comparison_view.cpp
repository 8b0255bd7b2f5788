// The instance comparison view on synthetic data: a baseline, a slow
// instance (latency x3) and a normal one on another version. One line per
// instance in every chart, the slow latency marked significant, the version
// difference highlighted, intents for the range and for removing and adding
// instances, the empty state. Saves screenshots to <build>/screenshots/.
#include "models/ComparisonIdentityModel.h"
#include "models/ComparisonModel.h"
#include "models/FleetModel.h"
#include "models/MetricSeriesStore.h"
#include "widgets/ComparisonView.h"

#include "../models/SyntheticComparison.h"

#include <QApplication>
#include <QChart>
#include <QCheckBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QToolButton>

using nexus::models::ComparisonIdentityModel;
using nexus::models::ComparisonModel;
namespace pb = ::nexus::v1;

namespace {

const QString kBaseline = QStringLiteral("dasher-use1-01");
const QString kSlow = QStringLiteral("dasher-euw1-02");
const QString kOlder = QStringLiteral("dasher-euw1-08"); // version 1.8.2 in the sandbox fleet

void save(QWidget& w, const char* name)
{
    QDir().mkpath(QStringLiteral(NEXUS_BINARY_DIR "/screenshots"));
    const QString path = QStringLiteral(NEXUS_BINARY_DIR "/screenshots/") + QLatin1String(name) +
                         QStringLiteral(".png");
    QVERIFY2(w.grab().save(path), qPrintable(path));
    qInfo("screenshot: %s", qPrintable(path));
}

nexus::testing::RunSpec runs(const QString& id, int count, double latencyMs, double errorRate,
                             double quality, std::uint64_t seed)
{
    nexus::testing::RunSpec s;
    s.id = id.toStdString();
    s.runs = count;
    s.latencyMs = latencyMs;
    s.latencySdMs = latencyMs * 0.18;
    s.errorRate = errorRate;
    s.quality = quality;
    s.costPerRunMicros = 150;
    s.seed = seed;
    return s;
}

pb::GetMetricSeriesResponse threeInstances()
{
    return nexus::testing::comparisonSeries({
        runs(kBaseline, 2880, 1000, 0.02, 0.86, 101),
        runs(kSlow, 2800, 3000, 0.03, 0.85, 202),
        runs(kOlder, 2700, 1040, 0.02, 0.84, 303),
    });
}

struct Setup
{
    nexus::models::FleetModel fleet;
    nexus::models::MetricSeriesStore store;
    ComparisonModel model;
    nexus::widgets::ComparisonView view;

    explicit Setup(const QStringList& ids = {kBaseline, kSlow, kOlder},
                   const pb::GetMetricSeriesResponse& response = threeInstances())
    {
        fleet.applyUpdate(nexus::testing::fullUpdate(nexus::testing::sandboxFleet().instances));
        model.setFleet(&fleet);
        model.setSeries(&store);
        model.setInstances(ids);
        store.setResponse(response);
        view.setModel(&model);
        // The app's wiring: the view's intents set the model.
        QObject::connect(&view, &nexus::widgets::ComparisonView::instancesChanged, &model,
                         &ComparisonModel::setInstances);
    }
};

QToolButton* button(QWidget& w, const QString& text)
{
    for (auto* b : w.findChildren<QToolButton*>())
        if (b->text() == text)
            return b;
    return nullptr;
}

QToolButton* removeButton(QWidget& w, const QString& id)
{
    for (auto* b : w.findChildren<QToolButton*>(QStringLiteral("removeInstance")))
        if (b->property("instanceId").toString() == id)
            return b;
    return nullptr;
}

} // namespace

class TestComparisonView : public QObject
{
    Q_OBJECT
private slots:
    void threeInstancesSideBySide()
    {
        Setup s;
        s.view.resize(1400, 900);
        s.view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&s.view));
        s.view.refresh();
        QVERIFY(!s.view.showsEmptyState());

        for (int i = 0; i < ComparisonModel::kMetricCount; ++i)
            QCOMPARE(s.view.chart(i)->series().size(), 3);

        // The slow instance's p50 latency row, found through the view's table.
        QAbstractItemModel* deltas = s.view.deltasTable()->model();
        int slowRow = -1;
        for (int r = 0; r < deltas->rowCount(); ++r) {
            const QModelIndex i = deltas->index(r, 0);
            if (i.data(ComparisonModel::InstanceIdRole).toString() == kSlow &&
                i.data(ComparisonModel::MetricRole).toInt() == pb::METRIC_LATENCY_P50)
                slowRow = r;
        }
        QVERIFY(slowRow >= 0);
        QVERIFY(deltas->index(slowRow, 0).data(ComparisonModel::SignificantRole).toBool());
        QCOMPARE(deltas->index(slowRow, ComparisonModel::SignificanceColumn).data().toString(),
                 QStringLiteral("significant, worse"));
        QVERIFY(deltas->index(slowRow, 0).data(Qt::FontRole).value<QFont>().bold());
        QCOMPARE(deltas->index(slowRow, ComparisonModel::PValueColumn).data().toString(),
                 QStringLiteral("< 0.001"));

        // The older version is highlighted in the identity table; the slow one's is not.
        QAbstractItemModel* identity = s.view.identityTable()->model();
        QCOMPARE(identity->rowCount(), 3);
        const QModelIndex older = identity->index(2, ComparisonIdentityModel::VersionColumn);
        QCOMPARE(older.data().toString(), QStringLiteral("1.8.2"));
        QVERIFY(older.data(ComparisonIdentityModel::HighlightRole).toBool());
        QVERIFY(older.data(Qt::BackgroundRole).isValid());
        QVERIFY(!identity->index(1, ComparisonIdentityModel::VersionColumn)
                     .data(ComparisonIdentityModel::HighlightRole)
                     .toBool());

        save(s.view, "comparison-view");

        // "Significant only" keeps just the marked rows.
        auto* only = s.view.findChild<QCheckBox*>();
        QVERIFY(only);
        const int all = deltas->rowCount();
        only->setChecked(true);
        QVERIFY(deltas->rowCount() > 0 && deltas->rowCount() < all);
        for (int r = 0; r < deltas->rowCount(); ++r)
            QVERIFY(deltas->index(r, 0).data(ComparisonModel::SignificantRole).toBool());
        only->setChecked(false);
        QCOMPARE(deltas->rowCount(), all);
    }

    void rangeButtonsEmitIntent()
    {
        Setup s;
        QSignalSpy spy(&s.view, &nexus::widgets::ComparisonView::rangeChanged);
        QToolButton* sixHours = button(s.view, QStringLiteral("6 h"));
        QVERIFY(sixHours);
        sixHours->click();
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toInt(), 21600);
        QCOMPARE(s.view.rangeSeconds(), 21600);
        sixHours->click(); // the same range again: no new intent
        QCOMPARE(spy.count(), 1);
    }

    void removeAndAddInstances()
    {
        Setup s;
        QSignalSpy spy(&s.view, &nexus::widgets::ComparisonView::instancesChanged);
        QToolButton* remove = removeButton(s.view, kSlow);
        QVERIFY(remove);
        remove->click();
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toStringList(), QStringList({kBaseline, kOlder}));
        s.view.refresh();
        QCOMPARE(s.model.rowCount(), ComparisonModel::kMetricCount);

        // Add by id through the search box.
        auto* search = s.view.findChild<QLineEdit*>();
        QVERIFY(search);
        QPushButton* add = nullptr;
        for (auto* b : s.view.findChildren<QPushButton*>())
            if (b->text() == QStringLiteral("Add"))
                add = b;
        QVERIFY(add);
        search->setText(QStringLiteral("nobody-here"));
        add->click();
        QCOMPARE(spy.count(), 1); // not in the fleet: refused, with a reason
        bool explained = false;
        for (auto* l : s.view.findChildren<QLabel*>())
            explained = explained || l->text().contains(QStringLiteral("nobody-here"));
        QVERIFY(explained);
        search->setText(kSlow);
        add->click();
        QCOMPARE(spy.count(), 2);
        QCOMPARE(spy.at(1).at(0).toStringList(), QStringList({kBaseline, kOlder, kSlow}));

        // The chip's context action: make another instance the baseline.
        s.view.makeBaseline(kOlder);
        QCOMPARE(spy.count(), 3);
        QCOMPARE(spy.at(2).at(0).toStringList(), QStringList({kOlder, kBaseline, kSlow}));
    }

    void fewerThanTwoShowsEmptyState()
    {
        Setup s({kBaseline});
        s.view.resize(1000, 500);
        s.view.refresh();
        QVERIFY(s.view.showsEmptyState());
        auto* empty = s.view.findChild<QLabel*>(QStringLiteral("emptyState"));
        QVERIFY(empty);
        QVERIFY(empty->text().startsWith(
            QStringLiteral("Select 2\u20138 instances in the fleet table and choose Compare")));
        save(s.view, "comparison-view-empty");
    }

    void eightInstancesAndATruncationNotice()
    {
        QStringList ids;
        for (const auto& in : nexus::testing::sandboxFleet().instances)
            ids << QString::fromStdString(in.instance_id());
        // Eight alike but for one slower and one more error-prone instance.
        std::vector<nexus::testing::RunSpec> specs;
        for (int i = 0; i < 8; ++i)
            specs.push_back(runs(ids[i], 2800 + 20 * i, i == 1 ? 1800 : 1000 + 10 * i,
                                 i == 2 ? 0.08 : 0.02, 0.86, 400 + std::uint64_t(i)));
        Setup s(ids.mid(0, 10), nexus::testing::comparisonSeries(specs));
        s.view.resize(1400, 900);
        s.view.refresh();
        QCOMPARE(s.model.instances().size(), 8);
        bool noticed = false;
        for (auto* l : s.view.findChildren<QLabel*>())
            noticed = noticed || l->text().contains(QStringLiteral("first 8 of 10"));
        QVERIFY(noticed);
        save(s.view, "comparison-view-eight");
    }
};

QTEST_MAIN(TestComparisonView)
#include "tst_comparison_view.moc"
