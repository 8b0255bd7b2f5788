// Must NOT compile: widgets never reach the network layer (DESIGN.md §2).
#include "client/LibraryVersions.h"
int layeringProbe()
{
    return 0;
}
