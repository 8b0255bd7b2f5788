// Tenants in the console: the Local sandbox's fleet belongs to two tenants
// (acme, globex). Every view shows each row's tenant, and the Tenant box at
// the right of the menu bar filters the fleet, the trace search, the
// knowledge queue and the rollouts board to one of them — asked of Nexus,
// which filters on the server.
#include "client/ConnectionProfile.h"
#include "models/FleetModel.h"
#include "models/KnowledgeQueueModel.h"
#include "models/RolloutBoardModel.h"
#include "models/TraceSearchModel.h"

#include "ConsoleSession.h"
#include "KnowledgePage.h"
#include "MainWindow.h"
#include "RolloutsPage.h"
#include "TracesPage.h"

#include <QComboBox>
#include <QDir>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

using nexus::models::FleetModel;
using nexus::models::TraceSearchModel;

namespace {

QStringList columnValues(const QAbstractItemModel& model, int column)
{
    QStringList out;
    for (int r = 0; r < model.rowCount(); ++r)
        out << model.index(r, column).data().toString();
    return out;
}

QStringList items(const QComboBox& box)
{
    QStringList out;
    for (int i = 0; i < box.count(); ++i)
        out << box.itemText(i);
    return out;
}

} // namespace

class TestConsoleTenants : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void theTenantBoxFiltersEveryView()
    {
        nexus::app::MainWindow w;
        w.resize(1400, 860);
        w.show();
        nexus::app::SandboxSettings settings;
        settings.runsPerSecondPerInstance = 2.0;
        settings.realTime = false;
        w.session()->setSandboxSettings(settings);
        w.openProfile(nexus::client::ConnectionProfile::localSandbox());
        QTRY_COMPARE_WITH_TIMEOUT(w.session()->fleet()->rowCount(), 24, 60000);

        // The fleet's tenants are offered, and each row shows its own.
        auto* box = w.findChild<QComboBox*>(QStringLiteral("tenantBox"));
        QVERIFY(box);
        QTRY_COMPARE(items(*box), (QStringList{"All tenants", "acme", "globex"}));
        const FleetModel& fleet = *w.session()->fleet();
        QStringList tenants = columnValues(fleet, FleetModel::TenantColumn);
        tenants.removeDuplicates();
        tenants.sort();
        QCOMPARE(tenants, (QStringList{"acme", "globex"}));

        // acme only: the fleet table.
        QSignalSpy changed(w.session(), &nexus::app::ConsoleSession::tenantChanged);
        QStringList notes; // switching tenants is not news
        connect(w.session(), &nexus::app::ConsoleSession::notify, this,
                [&notes](const QString& text) { notes << text; });
        box->setCurrentIndex(box->findText(QStringLiteral("acme")));
        emit box->activated(box->currentIndex());
        QCOMPARE(changed.count(), 1);
        QCOMPARE(w.session()->tenant(), QStringLiteral("acme"));
        auto* table = w.findChild<QTableView*>(QStringLiteral("fleetTable"));
        QVERIFY(table);
        QVERIFY(table->model()->rowCount() > 0);
        QVERIFY(table->model()->rowCount() < 24);
        for (const QString& t : columnValues(*table->model(), FleetModel::TenantColumn))
            QCOMPARE(t, QStringLiteral("acme"));
        // Nexus then streams acme's fleet alone: the tiles' totals are acme's,
        // and globex stays in the box to switch to.
        const int acme = table->model()->rowCount();
        QTRY_COMPARE_WITH_TIMEOUT(fleet.rowCount(), acme, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(fleet.totals().instances(), acme, 30000);
        QCOMPARE(items(*box), (QStringList{"All tenants", "acme", "globex"}));
        QCOMPARE(box->currentText(), QStringLiteral("acme"));
        QVERIFY2(!notes.contains(QStringLiteral("stopped")), qPrintable(notes.join(u'\n')));
        QDir().mkpath(QStringLiteral(NEXUS_BINARY_DIR "/screenshots"));
        QVERIFY(w.grab().save(QStringLiteral(NEXUS_BINARY_DIR "/screenshots/tenants-fleet.png")));

        // The trace search asks Nexus for acme's traces only.
        auto* traces = w.tracesPage();
        w.findChild<QTabWidget*>()->setCurrentWidget(traces);
        const auto searchUntilFound = [&] {
            QSignalSpy finished(traces, &nexus::app::TracesPage::searchFinished);
            traces->findChild<QPushButton*>(QStringLiteral("traceSearchButton"))->click();
            return finished.wait(15000) && traces->results()->rowCount() > 0;
        };
        QTRY_VERIFY_WITH_TIMEOUT(searchUntilFound(), 60000);
        QCOMPARE(traces->results()->filters().tenant_id(), std::string("acme"));
        for (const QString& t : columnValues(*traces->results(), TraceSearchModel::Tenant))
            QCOMPARE(t, QStringLiteral("acme"));

        // globex: the search runs again by itself.
        QSignalSpy searched(traces, &nexus::app::TracesPage::searchFinished);
        box->setCurrentIndex(box->findText(QStringLiteral("globex")));
        emit box->activated(box->currentIndex());
        QVERIFY(searched.wait(15000));
        QTRY_VERIFY_WITH_TIMEOUT(searchUntilFound(), 60000);
        for (const QString& t : columnValues(*traces->results(), TraceSearchModel::Tenant))
            QCOMPARE(t, QStringLiteral("globex"));
        QVERIFY(w.grab().save(QStringLiteral(NEXUS_BINARY_DIR "/screenshots/tenants-traces.png")));

        // The knowledge queue and the rollouts board follow it.
        QCOMPARE(w.knowledgePage()->queue()->filter().tenant, QStringLiteral("globex"));
        const auto* queue = w.knowledgePage()->queue();
        for (int r = 0; r < queue->rowCount(); ++r)
            QCOMPARE(queue->index(r, nexus::models::KnowledgeQueueModel::Tenant).data().toString(),
                     QStringLiteral("globex"));
        const auto* board = w.rolloutsPage()->board();
        for (int r = 0; r < board->rowCount(); ++r)
            QCOMPARE(board->index(r, nexus::models::RolloutBoardModel::Tenant).data().toString(),
                     QStringLiteral("globex"));

        // All tenants again.
        box->setCurrentIndex(0);
        emit box->activated(0);
        QCOMPARE(w.session()->tenant(), QString());
        QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 24, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(fleet.totals().instances(), 24, 30000);
    }
};

QTEST_MAIN(TestConsoleTenants)
#include "tst_console_tenants.moc"
