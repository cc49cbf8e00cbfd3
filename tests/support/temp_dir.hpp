#pragma once
// A temporary directory, removed with everything in it when destroyed.

#include <filesystem>
#include <string>

namespace authsim::testing {

class temp_dir {
 public:
  temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir();

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  // Writes `content` to path()/name and returns the full path.
  std::filesystem::path write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

}  // namespace authsim::testing

namespace authsim::testing {

// A fixtures directory holding copies of the default creditpay.json and
// uocs.json, for tests that add scenarios or change one file.
class fixture_copy : public temp_dir {
 public:
  fixture_copy();
  // Writes scenarios/NAME.json.
  void scenario(const std::string& name, const std::string& json) const;
};

}  // namespace authsim::testing
