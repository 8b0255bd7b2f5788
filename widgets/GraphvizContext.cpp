// The process-wide Graphviz context for GraphLayout: plugins from the
// installed config, else the dot layout and core render plugins preloaded by
// hand; the lock every Graphviz call takes; Graphviz's messages captured
// instead of going to stderr.
#include "widgets/GraphvizContext.h"

#include "widgets/GraphLayout.h"

#include <cstdlib>
#include <dlfcn.h>
#include <string>

namespace nexus::widgets {
namespace {

using graphviz::Context;
using graphviz::context;
using graphviz::graphvizMutex;
using graphviz::takeMessages;

// Graphviz reports through agerr; with a user function set, nothing goes to
// stderr. Only touched under graphvizMutex().
QStringList& capturedMessages()
{
    static auto* messages = new QStringList;
    return *messages;
}

int captureMessage(char* text)
{
    const QString message = QString::fromUtf8(text).trimmed();
    if (!message.isEmpty())
        capturedMessages().append(message);
    return 0;
}

bool hasPlugin(GVC_t* gvc, const char* kind, const char* name)
{
    int count = 0;
    char** list = gvPluginList(gvc, kind, &count, nullptr);
    bool found = false;
    for (int i = 0; i < count; ++i) {
        found = found || std::string(list[i]) == name;
        std::free(list[i]);
    }
    std::free(list);
    return found;
}

bool usable(GVC_t* gvc)
{
    return gvc && hasPlugin(gvc, "layout", "dot") && hasPlugin(gvc, "render", "svg");
}

// Where libgvc's plugins live: $GVBINDIR, else "graphviz/" beside libgvc.
std::string pluginDirectory()
{
    if (const char* dir = std::getenv("GVBINDIR"))
        return dir;
    Dl_info info{};
    if (!dladdr(reinterpret_cast<void*>(&gvContext), &info) || !info.dli_fname)
        return {};
    std::string path = info.dli_fname;
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash) + "/graphviz";
}

// The fallback for installs without a plugin config: the dot layout and core
// render plugins opened by hand and handed to Graphviz as preloaded
// libraries (what a static Graphviz build does with lt_preloaded_symbols).
// The handles stay open for the life of the process.
GVC_t* preloadedContext(QString* error)
{
    struct Plugin
    {
        const char* file;
        const char* symbol;
    };
    static const Plugin plugins[] = {
        {"libgvplugin_dot_layout.so.6", "gvplugin_dot_layout_LTX_library"},
        {"libgvplugin_core.so.6", "gvplugin_core_LTX_library"},
    };
    static lt_symlist_t symbols[3] = {};
    const std::string dir = pluginDirectory();
    int n = 0;
    for (const Plugin& plugin : plugins) {
        const std::string path = dir + "/" + plugin.file;
        void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        void* library = handle ? dlsym(handle, plugin.symbol) : nullptr;
        if (!library) {
            if (error)
                *error = QStringLiteral("Graphviz plugin %1 not found")
                             .arg(QString::fromStdString(path));
            return nullptr;
        }
        symbols[n++] = lt_symlist_t{plugin.symbol, library};
    }
    symbols[n] = lt_symlist_t{nullptr, nullptr};
    return gvContextPlugins(symbols, 0);
}

} // namespace

std::timed_mutex& graphviz::graphvizMutex()
{
    static auto* mutex = new std::timed_mutex;
    return *mutex;
}

QStringList graphviz::takeMessages()
{
    QStringList out;
    out.swap(capturedMessages());
    return out;
}

graphviz::Context::Context()
{
    agseterrf(captureMessage);
    gvc = gvContext();
    if (usable(gvc)) {
        source = QStringLiteral("config");
    } else {
        if (gvc)
            gvFreeContext(gvc);
        gvc = preloadedContext(&error);
        if (usable(gvc))
            source = QStringLiteral("preloaded");
        else if (error.isEmpty())
            error = QStringLiteral("Graphviz has no \"dot\" layout or \"svg\" renderer");
    }
    takeMessages(); // plugin loading chatter is not about any graph
}

Context& graphviz::context()
{
    static auto* instance = new Context;
    return *instance;
}

QString GraphLayout::pluginSource()
{
    std::lock_guard lock(graphvizMutex());
    return context().source;
}

bool GraphLayout::preloadedPluginsWork(QString* error)
{
    std::lock_guard lock(graphvizMutex());
    context(); // installs the message capture
    QString why;
    GVC_t* gvc = preloadedContext(&why);
    bool ok = usable(gvc);
    if (ok) {
        Agraph_t* g = agmemread("digraph { a -> b [label=\"x\"] }");
        ok = g && gvLayout(gvc, g, "dot") == 0;
        char* data = nullptr;
        unsigned int length = 0;
        ok = ok && gvRenderData(gvc, g, "svg", &data, &length) == 0 && length > 0;
        gvFreeRenderData(data);
        if (g) {
            gvFreeLayout(gvc, g);
            agclose(g);
        }
        if (!ok)
            why = takeMessages().join(QLatin1Char(' '));
    }
    if (gvc)
        gvFreeContext(gvc);
    takeMessages();
    if (error)
        *error = why;
    return ok;
}

} // namespace nexus::widgets
