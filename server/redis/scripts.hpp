#pragma once
// The Lua scripts that make each check-and-change on the shared state one
// atomic step in Redis. Each is loaded on every connection (SCRIPT LOAD) and
// called by its SHA1 (EVALSHA), so a call sends the arguments only.
//
// Keys: every key of one sandbox starts with "{PREFIX}:" (the braces, a
// Redis Cluster hash tag, keep a sandbox's keys in one slot; authsim itself
// speaks to one Redis, not to a cluster, and some scripts build the names
// of the keys they touch from the prefix). Records (codes, tokens) are
// hashes; each kind also has a sorted set of its members in the order
// added (listings and the capacity bound) and one by drop time (clean-up
// and live counts). A record's simulated times are fields of the hash: its
// Redis TTL is only a clean-up net, longer than any clock shift allows.

#include <string>

namespace authsim::redis {

struct script {
  const char* name;
  const char* text;
  std::string sha;  // hex SHA1 of text
};

struct scripts {
  script put_record;     // stores a record, cleans up and bounds its kind
  script redeem_code;    // marks a code redeemed when live and unused
  script list_records;   // counts and pages a kind's retained records
  script walk_rules;     // counts calls and windows of a scenario's rules
  script change_settings;  // changes shared settings and announces it
  script journal_add;    // appends to the journal stream, counts, announces
  script records_commit;  // writes records if unchanged, schedules jobs, announces
  script records_select;  // a page of a kind's records that match fields
  script records_clear;   // forgets a page of a kind's records
  script jobs_claim;      // claims due jobs, one per lane, under a lease
  script jobs_settle;     // ends or hands back claims, or extends their leases

  scripts();
};

const scripts& all_scripts();

}  // namespace authsim::redis
