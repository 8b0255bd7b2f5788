#pragma once
// Coalescing fleet updates: when the GUI has not yet taken the previous
// update, the next one is folded into it, so at most one delivery is ever
// pending and nothing is lost (a removal after an upsert removes, an upsert
// after a removal re-adds, a full snapshot replaces everything).

#include "nexus/v1/fleet.pb.h"

namespace nexus::client {

// `into` becomes the update equivalent to applying `into`, then `next`.
void mergeFleetUpdate(nexus::v1::FleetUpdate& into, nexus::v1::FleetUpdate next);

} // namespace nexus::client
