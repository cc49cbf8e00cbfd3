#pragma once
// Reads fixtures/scenarios/*.json into scenarios, strictly: an unknown key,
// a wrong type, an impossible value or an action combination that makes no
// sense is a fixtures::fixture_error naming the file and the JSON path.

#include "faults/scenario.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace authsim::faults {

// Loads every NAME.json in `dir` (other files are ignored; a missing
// directory is no scenarios). `endpoints` are the paths a rule's
// match.endpoint may name.
scenario_set load_scenarios(const std::filesystem::path& dir, const std::vector<std::string>& endpoints);

// Parses one scenario document (for tests and the loader).
scenario parse_scenario(const boost::json::value& doc, const std::string& name, const std::string& file,
                        const std::vector<std::string>& endpoints);

}  // namespace authsim::faults
