//! YouTube payloads into kith's shapes.
