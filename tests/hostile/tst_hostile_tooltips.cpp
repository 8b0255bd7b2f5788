// Model tool tips show outside strings (actors, entry titles, thread ids,
// rollout details) exactly as typed: what Qt's tool tip renders from each
// model's ToolTipRole is the hostile text itself, never its markup.
#include "models/AuditLogModel.h"
#include "models/KnowledgeQueueModel.h"
#include "models/PlainToolTip.h"
#include "models/RecordTableModel.h"

#include <QAbstractItemModelTester>
#include <QTest>
#include <QTextDocument>

using namespace nexus::models;
namespace pb = ::nexus::v1;

namespace {

const QString kHostile =
    QStringLiteral("<b>bold</b> <img src=x> <a href=\"file:///etc/passwd\">x</a>");

// What a QToolTip shows for `tip`: rich text when Qt takes it for markup.
QString shown(const QVariant& tip)
{
    const QString text = tip.toString();
    if (!Qt::mightBeRichText(text))
        return text;
    QTextDocument doc;
    doc.setHtml(text);
    return doc.toPlainText();
}

} // namespace

class TestHostileToolTips : public QObject
{
    Q_OBJECT
private slots:
    void helperKeepsPlainTextAndEscapesMarkup()
    {
        QCOMPARE(plainToolTip(QStringLiteral("just text")), QStringLiteral("just text"));
        QCOMPARE(plainToolTip(QString()), QString());
        QCOMPARE(shown(plainToolTip(kHostile)), kHostile);
        const QString lines = kHostile + QStringLiteral("\n") + kHostile;
        QCOMPARE(shown(plainToolTip(lines)), lines);
        QCOMPARE(plainToolTip(QVariant(42)), QVariant(42));
    }

    void auditLogTipsShowActorsAndDetailsAsTyped()
    {
        AuditLogModel model;
        QAbstractItemModelTester tester(&model);
        pb::ListAuditResponse page;
        pb::AuditRecord* r = page.add_records();
        r->set_seq(1);
        r->set_actor(kHostile.toStdString());
        r->set_peer("ipv4:127.0.0.1:5000");
        r->set_detail(kHostile.toStdString());
        model.reset(page);
        QCOMPARE(shown(model.index(0, AuditLogModel::Actor).data(Qt::ToolTipRole)),
                 kHostile + QStringLiteral(" from ipv4:127.0.0.1:5000"));
        QCOMPARE(shown(model.index(0, AuditLogModel::Detail).data(Qt::ToolTipRole)), kHostile);
        QCOMPARE(model.index(0, AuditLogModel::Detail).data(Qt::DisplayRole).toString(), kHostile);
    }

    void knowledgeQueueTipsShowTitlesAsTyped()
    {
        KnowledgeQueueModel model;
        QAbstractItemModelTester tester(&model);
        pb::ListEntriesResponse page;
        pb::KnowledgeEntry* e = page.add_entries();
        e->set_entry_id("e1");
        e->set_title(kHostile.toStdString());
        e->set_status(pb::KNOWLEDGE_STATUS_PENDING);
        model.reset(page);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(shown(model.index(0, KnowledgeQueueModel::Title).data(Qt::ToolTipRole)), kHostile);
    }

    void recordTableTipsShowThreadsAsTyped()
    {
        RecordTableModel model;
        QAbstractItemModelTester tester(&model);
        RecordRow row;
        row.kind = QStringLiteral("event");
        row.threadId = kHostile;
        row.detail = kHostile;
        model.setRecords({row});
        QCOMPARE(shown(model.index(0, RecordTableModel::Thread).data(Qt::ToolTipRole)), kHostile);
        QCOMPARE(shown(model.index(0, RecordTableModel::Detail).data(Qt::ToolTipRole)), kHostile);
    }
};

QTEST_MAIN(TestHostileToolTips)
#include "tst_hostile_tooltips.moc"
