#pragma once
// A flat table of the DashStream records of one trace file: what
// `nexusctl decode` prints, for people. One-shot data: set as a whole.

#include <QAbstractTableModel>
#include <QString>
#include <QVector>

#include <atomic>
#include <string_view>

namespace nexus::models {

struct RecordRow
{
    quint64 index = 0;
    qint64 timestampUs = 0;
    QString kind; // "event", "state_diff", ... or "error"
    QString threadId;
    quint64 sequence = 0;
    QString detail; // event type and node, or the decode error
    int bytes = 0;
    bool bad = false;
};

struct RecordFile
{
    QVector<RecordRow> rows;
    int badRecords = 0;
    QString error;          // the file could not be read at all
    bool cancelled = false; // stopped by the cancel flag: `rows` is partial
};

class RecordTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Index,
        Time,
        Kind,
        Thread,
        Sequence,
        Detail,
        Bytes,
        ColumnCount
    };

    explicit RecordTableModel(QObject* parent = nullptr);

    // Reads and decodes a .dstrace file. Blocking: call it off the GUI thread.
    // Stops early (RecordFile::cancelled) once `*cancel` is true.
    static RecordFile loadFile(const QString& path, const std::atomic<bool>* cancel = nullptr);

    void setRecords(QVector<RecordRow> rows);
    const RecordRow& row(int r) const { return rows_.at(r); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

private:
    QVector<RecordRow> rows_;
};

} // namespace nexus::models
