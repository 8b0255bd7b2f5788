// The main window's layout: saved per connection profile
// ("layout/<profile>/state", "…/view", "…/splitters/<name>"), the last one
// also globally ("window/state") for profiles never seen, and reset.
#include "MainWindow.h"

#include <QDockWidget>
#include <QSettings>
#include <QSplitter>
#include <QTabWidget>
#include <QUrl>

namespace nexus::app {

namespace {

QString layoutKey(const QString& profile, const QString& what)
{
    // Profile names are free text: '/' would open a settings group.
    return QStringLiteral("layout/%1/%2")
        .arg(QString::fromLatin1(QUrl::toPercentEncoding(profile)), what);
}

} // namespace

void MainWindow::saveLayout()
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    if (!layoutProfile_.isEmpty())
        saveProfileLayout(); // shows the docks the Runs tab hid
    else
        for (const QString& name : std::as_const(hiddenForRuns_))
            if (auto* dock = findChild<QDockWidget*>(name))
                dock->show();
    // The last layout of any profile: where a profile never seen starts.
    settings.setValue(QStringLiteral("window/state"), saveState());
}

void MainWindow::saveProfileLayout()
{
    // Save the docks as the user arranged them, not as the Runs tab hid them.
    for (const QString& name : std::as_const(hiddenForRuns_))
        if (auto* dock = findChild<QDockWidget*>(name))
            dock->show();
    hiddenForRuns_.clear();
    QSettings settings;
    settings.setValue(layoutKey(layoutProfile_, QStringLiteral("state")), saveState());
    settings.setValue(layoutKey(layoutProfile_, QStringLiteral("view")), views_->currentIndex());
    for (const QSplitter* splitter : findChildren<QSplitter*>())
        if (!splitter->objectName().isEmpty())
            settings.setValue(
                layoutKey(layoutProfile_, QStringLiteral("splitters/") + splitter->objectName()),
                splitter->saveState());
}

bool MainWindow::restoreProfileLayout(const QString& profile)
{
    QSettings settings;
    const QVariant state = settings.value(layoutKey(profile, QStringLiteral("state")));
    if (!state.isValid())
        return false; // never seen: keeps the layout shown (the last one saved)
    restoreState(state.toByteArray());
    for (QSplitter* splitter : findChildren<QSplitter*>()) {
        const QVariant saved =
            splitter->objectName().isEmpty()
                ? QVariant()
                : settings.value(
                      layoutKey(profile, QStringLiteral("splitters/") + splitter->objectName()));
        if (saved.isValid())
            splitter->restoreState(saved.toByteArray());
    }
    const int view = settings.value(layoutKey(profile, QStringLiteral("view")), 0).toInt();
    if (view == views_->currentIndex())
        emit views_->currentChanged(view); // the Runs tab hides the bottom docks again
    else
        views_->setCurrentIndex(view);
    return true;
}

void MainWindow::restoreLayout()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
}

void MainWindow::resetLayout()
{
    hiddenForRuns_.clear();
    restoreState(defaultState_);
    views_->setCurrentIndex(0);
    if (!layoutProfile_.isEmpty()) {
        QSettings settings;
        settings.remove(QStringLiteral("layout/") +
                        QString::fromLatin1(QUrl::toPercentEncoding(layoutProfile_)));
    }
}

} // namespace nexus::app
