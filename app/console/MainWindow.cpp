#include "MainWindow.h"

#include "client/LibraryVersions.h"
#include "models/RecordTableModel.h"
#include "widgets/AboutDialog.h"

#include <QApplication>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QtConcurrent>

namespace nexus::app {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), records_(new models::RecordTableModel(this)),
      stack_(new QStackedWidget(this)), table_(new QTableView(this)), status_(new QLabel(this))
{
    setWindowTitle(tr("Nexus Console"));
    setObjectName(QStringLiteral("MainWindow"));
    resize(1200, 760);

    auto* welcome = new QLabel(this);
    welcome->setObjectName(QStringLiteral("welcome"));
    welcome->setTextFormat(Qt::PlainText);
    welcome->setAlignment(Qt::AlignCenter);
    welcome->setWordWrap(true);
    welcome->setText(
        tr("Nexus Console\n\n"
           "Open a recorded DashStream trace with File \u203a Open Trace\u2026 (Ctrl+O)\n"
           "to list its records. The fleet, live-run and review views follow."));
    stack_->addWidget(welcome);

    table_->setObjectName(QStringLiteral("records"));
    table_->setModel(records_);
    table_->setAlternatingRowColors(true);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->verticalHeader()->hide();
    stack_->addWidget(table_);
    setCentralWidget(stack_);

    status_->setTextFormat(Qt::PlainText);
    statusBar()->addWidget(status_, 1);
    status_->setText(tr("No connection profile yet: working offline."));
    createMenus();
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open Trace\u2026"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open Trace"), QString(), tr("DashStream traces (*.dstrace);;All files (*)"));
        if (!path.isEmpty())
            openTrace(path);
    });
    open->setShortcut(QKeySequence::Open);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), qApp, &QApplication::quit);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Nexus Console"), this, &MainWindow::showAbout);
}

void MainWindow::openTrace(const QString& path)
{
    status_->setText(tr("Reading %1\u2026").arg(QFileInfo(path).fileName()));
    auto* watcher = new QFutureWatcher<models::RecordFile>(this);
    connect(watcher, &QFutureWatcher<models::RecordFile>::finished, this, [this, watcher, path] {
        models::RecordFile file = watcher->result();
        watcher->deleteLater();
        const QString name = QFileInfo(path).fileName();
        if (!file.error.isEmpty()) {
            status_->setText(file.error);
            emit traceLoaded(path, 0, 0);
            return;
        }
        const int count = static_cast<int>(file.rows.size());
        records_->setRecords(std::move(file.rows));
        table_->resizeColumnsToContents();
        table_->horizontalHeader()->setSectionResizeMode(models::RecordTableModel::Detail,
                                                         QHeaderView::Stretch);
        stack_->setCurrentWidget(table_);
        status_->setText(file.badRecords
                             ? tr("%1: %2 records, %3 could not be decoded (shown in red)")
                                   .arg(name)
                                   .arg(count)
                                   .arg(file.badRecords)
                             : tr("%1: %2 records").arg(name).arg(count));
        emit traceLoaded(path, count, file.badRecords);
    });
    watcher->setFuture(
        QtConcurrent::run([path] { return models::RecordTableModel::loadFile(path); }));
}

void MainWindow::showAbout()
{
    widgets::AboutDialog dialog(client::libraryVersions(), this);
    dialog.exec();
}

} // namespace nexus::app
