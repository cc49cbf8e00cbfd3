#!/usr/bin/env bash
# Checks the Dockerfile against the project without building the image
# (image_test.sh builds and runs it, from .ci/run, where podman can): it
# reads the Dockerfile and compares what it says with what the project
# really is: the packages of
# scripts/setup.sh, the layout CMake gives the binary, the libraries the built
# binary loads (ldd, dpkg -S), .dockerignore, the fixtures, the health probe,
# the flags authsim accepts and the examples of the README and of the
# Dockerfile's own header.
#
# Usage: check_dockerfile.sh SOURCE_DIR AUTHSIM_BINARY
#   SOURCE_DIR       the project (Dockerfile, .dockerignore, scripts/, ...)
#   AUTHSIM_BINARY   authsim as CMake built it (<build dir>/server/authsim)
# To try a change without touching the project, point these elsewhere:
#   DOCKERFILE=path    the Dockerfile to check (default SOURCE_DIR/Dockerfile)
#   DOCKERIGNORE=path  the .dockerignore to use (default SOURCE_DIR/.dockerignore)
#   README=path        the README to read (default SOURCE_DIR/README.md)
# Exit status: 0 every check passed; 1 at least one failed (each failure is
# one "FAIL:" line on stderr); 77 nothing failed but a check could not run
# on this machine (CTest reports the test as skipped).
set -uo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 SOURCE_DIR AUTHSIM_BINARY" >&2
  exit 2
fi
src=${1%/}
binary=$2
dockerfile=${DOCKERFILE:-$src/Dockerfile}
dockerignore=${DOCKERIGNORE:-$src/.dockerignore}
readme=${README:-$src/README.md}

# What the image promises its users (README.md documents these).
readonly fixtures_dir=/fixtures
readonly image_port=8080
readonly health_path=/__admin/health
# Packages every debian:12-slim image has, so the runtime stage need not
# install them: the C library (with the dynamic loader and libm), the C++
# runtime, and libgcc's unwinder.
readonly base_packages=(libc6 libstdc++6 libgcc-s1)

failures=0
skipped=()
fail() {
  printf 'FAIL: %s\n' "$*" >&2
  failures=$((failures + 1))
}
ok() { printf 'ok: %s\n' "$*"; }
skip() {
  printf 'SKIP: %s\n' "$*"
  skipped+=("$*")
}
section() { printf '\n== %s\n' "$*"; }

for f in "$dockerfile" "$src/scripts/setup.sh" "$src/scripts/build.sh" "$src/CMakeLists.txt"; do
  if [ ! -f "$f" ]; then
    echo "FAIL: $f does not exist" >&2
    exit 1
  fi
done

# ---------------------------------------------------------------- helpers --

trim() {
  local s=$1
  s=${s#"${s%%[![:space:]]*}"}
  s=${s%"${s##*[![:space:]]}"}
  printf '%s' "$s"
}

# A path with //, /./ and .. folded away, textually (no file system access).
norm_path() {
  local p=$1 lead="" part
  local -a parts=() out=()
  [[ $p == /* ]] && lead=/
  IFS=/ read -ra parts <<<"$p"
  for part in "${parts[@]}"; do
    case $part in
      '' | .) ;;
      ..) [ ${#out[@]} -gt 0 ] && unset 'out[-1]' ;;
      *) out+=("$part") ;;
    esac
  done
  local IFS=/
  printf '%s%s' "$lead" "${out[*]}"
}

# REL resolved against BASE, unless REL is absolute.
join_path() {
  case $2 in
    /*) norm_path "$2" ;;
    *) norm_path "$1/$2" ;;
  esac
}

# The strings of a JSON array such as ["a", "b"], one per line; fails when
# TEXT is not such an array.
json_array() {
  local rest
  [[ $1 =~ ^[[:space:]]*\[(.*)\][[:space:]]*$ ]] || return 1
  rest=${BASH_REMATCH[1]}
  local re='^[[:space:]]*"(([^"\\]|\\.)*)"[[:space:]]*(,|$)(.*)$'
  while [[ $rest =~ $re ]]; do
    printf '%s\n' "${BASH_REMATCH[1]}"
    rest=${BASH_REMATCH[4]}
  done
  [[ $rest =~ ^[[:space:]]*$ ]]
}

# The words of an instruction's arguments: a JSON array's strings, or else
# the whitespace-separated words.
words_of() {
  local -n into=$1
  into=()
  local line
  if json_array "$2" >/dev/null 2>&1 && [[ $2 =~ ^[[:space:]]*\[ ]]; then
    while IFS= read -r line; do into+=("$line"); done < <(json_array "$2")
  else
    read -ra into <<<"$2"
  fi
}

# NAME<TAB>VALUE for each variable an ENV instruction sets (NAME=VALUE pairs,
# values optionally quoted, or the older "ENV NAME VALUE").
env_pairs() {
  local s first value
  s=$(trim "$1")
  first=${s%%[[:space:]]*}
  if [[ $first != *=* ]]; then
    printf '%s\t%s\n' "$first" "$(trim "${s#"$first"}")"
    return
  fi
  local re="^([A-Za-z_][A-Za-z0-9_]*)=(\"([^\"\\\\]|\\\\.)*\"|'[^']*'|[^[:space:]]*)[[:space:]]*(.*)$"
  while [ -n "$s" ] && [[ $s =~ $re ]]; do
    value=${BASH_REMATCH[2]}
    if [[ $value == \"*\" || $value == \'*\' ]]; then
      value=${value:1:${#value}-2}
    fi
    printf '%s\t%s\n' "${BASH_REMATCH[1]}" "$value"
    s=${BASH_REMATCH[4]}
  done
}

# The value a shell command line gives NAME with a NAME=VALUE assignment
# (quotes removed); fails when it gives none.
assigned_in() {
  local name=$1 text=$2 value
  local re="(^|[[:space:];&|])${name}=(\"[^\"]*\"|'[^']*'|[^[:space:];&|]*)"
  [[ $text =~ $re ]] || return 1
  value=${BASH_REMATCH[2]}
  if [[ $value == \"*\" || $value == \'*\' ]]; then
    value=${value:1:${#value}-2}
  fi
  printf '%s' "$value"
}

# The simple commands of a shell command line, one per line (split at
# &&, ||, ;, | and line breaks; good enough for Dockerfile RUN lines).
commands_of() {
  local text=$1
  text=${text//&&/$'\n'}
  text=${text//||/$'\n'}
  text=${text//;/$'\n'}
  text=${text//|/$'\n'}
  printf '%s\n' "$text"
}

# The packages named by the apt-get/apt install commands of a RUN line.
apt_installs() {
  local cmd w
  local -a words
  while IFS= read -r cmd; do
    read -ra words <<<"$cmd"
    local seen_apt=0 seen_install=0 skip_next=0
    for w in "${words[@]}"; do
      if [ "$skip_next" = 1 ]; then
        skip_next=0
        continue
      fi
      if [ "$seen_install" = 1 ]; then
        case $w in
          -o | -t | -c) skip_next=1 ;;
          -*) ;;
          *) printf '%s\n' "${w%%[=:]*}" ;; # no version or architecture
        esac
        continue
      fi
      case $w in
        apt-get | apt | */apt-get | */apt) seen_apt=1 ;;
        install) [ "$seen_apt" = 1 ] && seen_install=1 ;;
      esac
    done
  done < <(commands_of "$1")
}

# Succeeds when the project file REL is executable: git's record of it when
# git tracks it (a clean checkout gets that mode), else the file's own bit.
project_executable() {
  local mode=""
  if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    mode=$(git -C "$src" ls-files -s -- "$1" | cut -d' ' -f1)
  fi
  if [ -n "$mode" ]; then
    [ "$mode" = 100755 ]
  else
    [ -x "$src/$1" ]
  fi
}

# Succeeds when RUN text starts SCRIPT through an interpreter (bash x, sh x),
# which needs no executable bit.
run_through_shell() {
  local re="(^|[[:space:];&|])(ba)?sh[[:space:]]+[^[:space:];&|]*${1//./\\.}"
  [[ $2 =~ $re ]]
}

in_list() {
  local needle=$1 x
  shift
  for x in "$@"; do
    [ "$x" = "$needle" ] && return 0
  done
  return 1
}

# --------------------------------------------------- reading the Dockerfile --

inst_kw=()    # keyword, upper case
inst_args=()  # everything after the keyword, continuation lines joined
inst_stage=() # index of the stage (FROM) it belongs to; -1 before the first
inst_line=()  # line number where it starts
stage_image=()
stage_name=()
comments=()

add_instruction() {
  local at=$1 text kw rest
  text=$(trim "$2")
  kw=${text%%[[:space:]]*}
  rest=$(trim "${text#"$kw"}")
  kw=${kw^^}
  if [ "$kw" = FROM ]; then
    local -a w
    local i=0
    read -ra w <<<"$rest"
    while [[ ${w[i]:-} == --* ]]; do i=$((i + 1)); done
    stage_image+=("${w[i]:-}")
    if [[ ${w[i + 1]:-} =~ ^[Aa][Ss]$ ]]; then
      stage_name+=("${w[i + 2]:-}")
    else
      stage_name+=("")
    fi
  fi
  inst_kw+=("$kw")
  inst_args+=("$rest")
  inst_stage+=($((${#stage_image[@]} - 1)))
  inst_line+=("$at")
}

parse_dockerfile() {
  local line logical="" n=0 start=0
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    line=${line%$'\r'}
    # Comment lines are dropped, inside a continuation too, as Docker does.
    if [[ $line =~ ^[[:space:]]*# ]]; then
      comments+=("$line")
      continue
    fi
    [[ $line =~ ^[[:space:]]*$ ]] && continue
    [ -z "$logical" ] && start=$n
    if [[ $line =~ ^(.*)\\[[:space:]]*$ ]]; then
      logical+="${BASH_REMATCH[1]} "
      continue
    fi
    logical+=$line
    add_instruction "$start" "$logical"
    logical=""
  done <"$dockerfile"
  if [ -n "$logical" ]; then
    add_instruction "$start" "$logical"
  fi
}

# Indices of the instructions of STAGE (optionally only those with KEYWORD).
stage_insts() {
  local stage=$1 kw=${2:-} i
  for i in "${!inst_kw[@]}"; do
    [ "${inst_stage[i]}" = "$stage" ] || continue
    [ -z "$kw" ] || [ "${inst_kw[i]}" = "$kw" ] || continue
    printf '%s\n' "$i"
  done
}

# The working directory in force at instruction INDEX.
workdir_at() {
  local index=$1 wd=/ i
  for i in $(stage_insts "${inst_stage[index]}" WORKDIR); do
    [ "$i" -lt "$index" ] || break
    wd=$(join_path "$wd" "$(trim "${inst_args[i]}")")
  done
  printf '%s' "$wd"
}

# The value of NAME set by the ENV instructions of STAGE before INDEX (all of
# the stage when INDEX is empty); fails when none sets it.
stage_env() {
  local stage=$1 name=$2 index=${3:-} i n v found=1 value=""
  for i in $(stage_insts "$stage" ENV); do
    [ -z "$index" ] || [ "$i" -lt "$index" ] || break
    while IFS=$'\t' read -r n v; do
      if [ "$n" = "$name" ]; then
        value=$v
        found=0
      fi
    done < <(env_pairs "${inst_args[i]}")
  done
  printf '%s' "$value"
  return $found
}

# The COPY/ADD instruction split into flags, sources and destination:
# fills copy_from, copy_srcs (array) and copy_dest.
split_copy() {
  local -a w
  words_of w "$1"
  copy_from=""
  copy_srcs=()
  copy_dest=""
  local x rest=()
  for x in "${w[@]}"; do
    case $x in
      --from=*) copy_from=${x#--from=} ;;
      --*) ;;
      *) rest+=("$x") ;;
    esac
  done
  if [ ${#rest[@]} -ge 2 ]; then
    copy_dest=${rest[-1]}
    copy_srcs=("${rest[@]:0:${#rest[@]}-1}")
  fi
}

# The project file that COPY puts at IMAGE_PATH in STAGE (a file, or a file
# inside a copied directory); fails when no COPY from the project does.
project_file_at() {
  local stage=$1 path=$2 i s dest
  for i in $(stage_insts "$stage"); do
    [[ ${inst_kw[i]} == COPY || ${inst_kw[i]} == ADD ]] || continue
    split_copy "${inst_args[i]}"
    [ -z "$copy_from" ] || continue
    dest=$(join_path "$(workdir_at "$i")" "$copy_dest")
    for s in "${copy_srcs[@]}"; do
      s=$(norm_path "$s")
      if [ "$dest" = "$path" ] && [ -f "$src/$s" ]; then
        printf '%s' "$s"
        return 0
      fi
      if [[ $copy_dest == */ ]] || [ ${#copy_srcs[@]} -gt 1 ] || [ -d "$src/$s" ]; then
        local candidate
        if [ -d "$src/$s" ]; then
          candidate=${path#"$dest"/}
          if [ "$candidate" != "$path" ] && [ -f "$src/$s/$candidate" ]; then
            norm_path "$s/$candidate"
            return 0
          fi
        elif [ "$dest/${s##*/}" = "$path" ] && [ -f "$src/$s" ]; then
          printf '%s' "$s"
          return 0
        fi
      fi
    done
  done
  return 1
}

# -------------------------------------------------------- .dockerignore ------

di_regex=()
di_negated=()

# A .dockerignore pattern as an anchored extended regular expression: * and ?
# stop at /, ** spans directories, [...] is a class, \ escapes.
glob_to_regex() {
  local g=$1 re="" i=0 c j class
  while [ "$i" -lt "${#g}" ]; do
    c=${g:i:1}
    case $c in
      '*')
        if [ "${g:i+1:1}" = '*' ]; then
          i=$((i + 1))
          if [ "${g:i+1:1}" = / ]; then
            i=$((i + 1))
            re+='(.*/)?'
          else
            re+='.*'
          fi
        else
          re+='[^/]*'
        fi
        ;;
      '?') re+='[^/]' ;;
      '[')
        j=$((i + 1))
        [ "${g:j:1}" = ']' ] && j=$((j + 1))
        while [ "$j" -lt "${#g}" ] && [ "${g:j:1}" != ']' ]; do j=$((j + 1)); done
        class=${g:i+1:j-i-1}
        [[ $class == '!'* ]] && class="^${class:1}"
        re+="[$class]"
        i=$j
        ;;
      \\)
        i=$((i + 1))
        c=${g:i:1}
        if [[ $c =~ [][.+*?^\$\(\)\{\}\|\\] ]]; then re+="\\$c"; else re+=$c; fi
        ;;
      [.+^\$\(\)\{\}\|]) re+="\\$c" ;;
      *) re+=$c ;;
    esac
    i=$((i + 1))
  done
  printf '^%s$' "$re"
}

load_dockerignore() {
  local line negated
  [ -f "$dockerignore" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%$'\r'}
    [[ $line == '#'* ]] && continue
    line=$(trim "$line")
    [ -n "$line" ] || continue
    negated=0
    if [[ $line == '!'* ]]; then
      negated=1
      line=$(trim "${line:1}")
    fi
    line=$(norm_path "$line")
    line=${line#/}
    [ -n "$line" ] || continue
    di_regex+=("$(glob_to_regex "$line")")
    di_negated+=("$negated")
  done <"$dockerignore"
}

# Succeeds when .dockerignore keeps PATH (relative to the project) out of the
# build context: the last pattern matching it, or one of its parent
# directories, decides.
di_excludes() {
  local path k prefix excluded=1
  path=$(norm_path "$1")
  for k in "${!di_regex[@]}"; do
    prefix=$path
    while :; do
      if [[ $prefix =~ ${di_regex[k]} ]]; then
        if [ "${di_negated[k]}" = 1 ]; then excluded=1; else excluded=0; fi
        break
      fi
      [[ $prefix == */* ]] || break
      prefix=${prefix%/*}
    done
  done
  return $excluded
}

# The files under PATH that git tracks (or, outside a git checkout, that exist).
files_under() {
  if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$src" ls-files -- "$1"
  elif [ -d "$src/$1" ]; then
    (cd "$src" && find "$1" -type f)
  else
    printf '%s\n' "$1"
  fi
}

# ---------------------------------------------------- the project's facts ---

parse_dockerfile
load_dockerignore

# scripts/setup.sh's package list: the words of its `packages=( ... )` array.
setup_packages=()
in_array=0
while IFS= read -r line; do
  line=${line%%#*}
  if [ "$in_array" = 0 ]; then
    [[ $line =~ ^[[:space:]]*packages=\((.*)$ ]] || continue
    in_array=1
    line=${BASH_REMATCH[1]}
  fi
  if [[ $line == *')'* ]]; then
    line=${line%%)*}
    in_array=2
  fi
  read -ra words <<<"$line"
  for w in "${words[@]}"; do
    [[ $w == *'$'* ]] || setup_packages+=("$w")
  done
  [ "$in_array" = 2 ] && break
done <"$src/scripts/setup.sh"
# The variables through which a caller makes setup.sh install more.
mapfile -t setup_vars < <(grep -oE '\$\{?AUTHSIM_[A-Z0-9_]+' "$src/scripts/setup.sh" | grep -oE 'AUTHSIM_[A-Z0-9_]+' | sort -u)

# Where CMake puts the authsim binary, relative to the build directory: the
# directory of the CMakeLists.txt that declares it.
cmake_lists=()
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t cmake_lists < <(git -C "$src" ls-files -- 'CMakeLists.txt' '*/CMakeLists.txt')
else
  mapfile -t cmake_lists < <(cd "$src" && find . -name CMakeLists.txt -not -path './build*' -not -path '*/node_modules/*' | sed 's#^\./##')
fi
target_dir=""
for f in "${cmake_lists[@]}"; do
  [ -f "$src/$f" ] || continue
  if grep -qE 'add_executable\([[:space:]]*authsim([[:space:]]|\))' "$src/$f"; then
    target_dir=$(dirname "$f")
  fi
done
binary_rel=""
if [ -n "$target_dir" ]; then
  binary_rel=$(norm_path "$target_dir/authsim")
fi

# authsim's flags, from its own --help.
help_flags=()
if help_text=$("$binary" --help 2>&1); then
  mapfile -t help_flags < <(grep -oE '^[[:space:]]+(-[a-z], )?--[a-z0-9-]+' <<<"$help_text" | grep -oE -- '--[a-z0-9-]+')
fi

# ------------------------------------------------------------------ stages ---

section "stages"
if [ ${#stage_image[@]} -lt 2 ]; then
  fail "the Dockerfile should have a build stage and a runtime stage; it has ${#stage_image[@]} FROM line(s)"
  echo "$failures check(s) failed" >&2
  exit 1
fi
build=0
runtime=$((${#stage_image[@]} - 1))
build_ref=${stage_name[build]:-0}
if [[ ${stage_image[build]} =~ ^debian:(12|bookworm)(@sha256:[0-9a-f]+)?$ ]]; then
  ok "the build stage starts from ${stage_image[build]}"
else
  fail "the build stage should start from debian:12 (the system scripts/setup.sh targets), not '${stage_image[build]}'"
fi
if [[ ${stage_image[runtime]} =~ ^debian:(12|bookworm)-slim(@sha256:[0-9a-f]+)?$ ]]; then
  ok "the runtime stage starts from ${stage_image[runtime]}"
else
  fail "the runtime stage should start from debian:12-slim (Debian 12, like the build stage, so the libraries match), not '${stage_image[runtime]}'"
fi

# ------------------------------------------------- build stage: packages -----

section "build stage: packages"
if [ ${#setup_packages[@]} -eq 0 ]; then
  fail "could not read the package list (packages=( ... )) from scripts/setup.sh"
fi

# The build stage's COPYs that bring a project path in, as "INDEX SOURCE".
build_copies=()
for i in $(stage_insts "$build"); do
  [[ ${inst_kw[i]} == COPY || ${inst_kw[i]} == ADD ]] || continue
  split_copy "${inst_args[i]}"
  [ -z "$copy_from" ] || continue
  for s in "${copy_srcs[@]}"; do
    build_copies+=("$i $(norm_path "$s")")
  done
done

# Succeeds when a COPY of the build stage before INDEX brings project path P in.
copied_before() {
  local index=$1 want=$2 entry i s
  for entry in "${build_copies[@]}"; do
    i=${entry%% *}
    s=${entry#* }
    [ "$i" -lt "$index" ] || continue
    if [ "$s" = "$want" ] || [ -z "$s" ] || [[ $want == "$s"/* ]]; then
      return 0
    fi
  done
  return 1
}

# How RUN text invokes a project script (e.g. "./scripts/setup.sh"), if it does.
script_call() {
  local re="(^|[[:space:];&|(])(([^[:space:];&|()]*/)?${1//./\\.})([[:space:];&|)]|$)"
  [[ $2 =~ $re ]] || return 1
  printf '%s' "${BASH_REMATCH[2]}"
}

setup_run=""
for i in $(stage_insts "$build" RUN); do
  if script_call scripts/setup.sh "${inst_args[i]}" >/dev/null; then
    setup_run=$i
    break
  fi
done
if [ -z "$setup_run" ]; then
  fail "the build stage does not run scripts/setup.sh, so nothing makes its packages the ones the scripts install"
else
  ok "the build stage runs scripts/setup.sh (line ${inst_line[setup_run]})"
  if ! copied_before "$setup_run" scripts/setup.sh; then
    fail "the build stage runs scripts/setup.sh (line ${inst_line[setup_run]}) without copying it in first"
  fi
  call=$(script_call scripts/setup.sh "${inst_args[setup_run]}")
  if ! run_through_shell scripts/setup.sh "${inst_args[setup_run]}" && ! project_executable scripts/setup.sh; then
    fail "the build stage runs $call directly, but scripts/setup.sh is not executable"
  fi
fi

for i in $(stage_insts "$build" RUN); do
  while IFS= read -r p; do
    [ -n "$p" ] || continue
    if in_list "$p" "${setup_packages[@]}"; then
      ok "the build stage installs $p, which scripts/setup.sh lists"
    else
      fail "the build stage installs '$p' with apt-get (line ${inst_line[i]}), but scripts/setup.sh does not list it: add it there (the one list of build packages) or drop it here"
    fi
  done < <(apt_installs "${inst_args[i]}")
done

# setup.sh installs more when a caller sets its variables; the image's build
# must get the plain list.
for v in "${setup_vars[@]}"; do
  for i in $(stage_insts "$build"); do
    case ${inst_kw[i]} in
      ENV | ARG)
        if grep -qE "(^|[[:space:]])$v([=[:space:]]|$)" <<<"${inst_args[i]}"; then
          fail "the build stage sets $v (line ${inst_line[i]}), which makes scripts/setup.sh install packages the build does not need"
        fi
        ;;
      RUN)
        if value=$(assigned_in "$v" "${inst_args[i]}") && [ -n "$value" ]; then
          fail "the build stage runs with $v=$value (line ${inst_line[i]}), which makes scripts/setup.sh install packages the build does not need"
        fi
        ;;
    esac
  done
done
[ ${#setup_vars[@]} -eq 0 ] || ok "the build stage leaves ${setup_vars[*]} unset"

# --------------------------------------- build stage: the binary's path -----

section "build stage: where the binary ends up"
if [ -z "$binary_rel" ]; then
  fail "no CMakeLists.txt of the project declares add_executable(authsim ...)"
elif grep -qE 'RUNTIME_OUTPUT_DIRECTORY|OUTPUT_NAME' "$src/CMakeLists.txt" "$src/$target_dir/CMakeLists.txt"; then
  fail "a CMakeLists.txt sets RUNTIME_OUTPUT_DIRECTORY or OUTPUT_NAME: this check assumes the binary stays at <build dir>/$binary_rel and must learn the new layout"
else
  ok "CMake builds authsim as <build dir>/$binary_rel (add_executable in $target_dir/CMakeLists.txt)"
fi

if [ ! -x "$binary" ]; then
  fail "the built binary $binary does not exist or is not executable"
elif [ -n "$binary_rel" ]; then
  # The build directory is the nearest parent holding CMakeCache.txt.
  real_build_dir=""
  d=$(cd "$(dirname "$binary")" && pwd)
  while [ "$d" != / ]; do
    if [ -f "$d/CMakeCache.txt" ]; then
      real_build_dir=$d
      break
    fi
    d=$(dirname "$d")
  done
  real_binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"
  if [ -n "$real_build_dir" ]; then
    real_rel=${real_binary#"$real_build_dir"/}
    if [ "$real_rel" = "$binary_rel" ]; then
      ok "the built binary sits at <build dir>/$real_rel, as expected"
    else
      fail "the built binary sits at <build dir>/$real_rel, not at <build dir>/$binary_rel: the layout this check expects has changed"
    fi
  elif [[ $real_binary == */"$binary_rel" ]]; then
    ok "the built binary's path ends in $binary_rel (no CMakeCache.txt above it to say more)"
  else
    fail "the built binary's path ($binary) does not end in $binary_rel"
  fi
fi

# What the build stage's commands make: scripts/build.sh or cmake itself.
expected_artifact=""
build_run=""
for i in $(stage_insts "$build" RUN); do
  if script_call scripts/build.sh "${inst_args[i]}" >/dev/null; then
    build_run=$i
    break
  fi
done
cmake_args=""
targets=()
if [ -n "$build_run" ]; then
  text=${inst_args[build_run]}
  call=$(script_call scripts/build.sh "$text")
  wd=$(workdir_at "$build_run")
  root=$(join_path "$wd" "$(dirname "$(dirname "$call")")")
  if ! copied_before "$build_run" scripts/build.sh; then
    fail "the build stage runs scripts/build.sh (line ${inst_line[build_run]}) without copying it in first"
  fi
  if ! run_through_shell scripts/build.sh "$text" && ! project_executable scripts/build.sh; then
    fail "the build stage runs $call directly, but scripts/build.sh is not executable"
  fi
  if build_dir=$(assigned_in AUTHSIM_BUILD_DIR "$text") || build_dir=$(stage_env "$build" AUTHSIM_BUILD_DIR "$build_run"); then
    :
  else
    build_dir=$(sed -nE 's/.*build_dir=\$\{AUTHSIM_BUILD_DIR:-([^}]*)\}.*/\1/p' "$src/scripts/build.sh" | head -n1)
  fi
  if [ -z "$build_dir" ]; then
    fail "cannot tell which build directory scripts/build.sh uses (no AUTHSIM_BUILD_DIR, and no default in the script)"
  fi
  cmake_args=$(assigned_in AUTHSIM_CMAKE_ARGS "$text") || cmake_args=$(stage_env "$build" AUTHSIM_CMAKE_ARGS "$build_run") || cmake_args=""
  # The targets: the words after the script, up to the end of its command.
  after=${text#*"$call"}
  after=$(commands_of "$after" | head -n1)
  read -ra targets <<<"$after"
  ok "the build stage builds with $call (line ${inst_line[build_run]}) in ${build_dir:-?} under $root"
else
  for i in $(stage_insts "$build" RUN); do
    re='(^|[[:space:];&|])cmake[[:space:]]([^;&|]*[[:space:]])?-B[[:space:]]*([^[:space:];&|]+)'
    if [[ ${inst_args[i]} =~ $re ]]; then
      build_run=$i
      build_dir=${BASH_REMATCH[3]}
      text=${inst_args[i]}
      root=$(workdir_at "$i")
      cmake_args=$text
      re='cmake[[:space:]]+--build[[:space:]][^;&|]*--target[[:space:]]+([^;&|]+)'
      if [[ $text =~ $re ]]; then
        read -ra targets <<<"${BASH_REMATCH[1]}"
        targets=("${targets[0]}")
      fi
      ok "the build stage runs cmake itself (line ${inst_line[i]}) into $build_dir under $root"
      break
    fi
  done
  if [ -z "$build_run" ]; then
    fail "the build stage neither runs scripts/build.sh nor configures with cmake -B DIR: cannot tell where it builds authsim"
  fi
fi
if [ -n "$build_run" ]; then
  if [[ $cmake_args == *-DCMAKE_BUILD_TYPE=Release* ]]; then
    ok "the image's build is a Release build"
  else
    fail "the build stage does not pass -DCMAKE_BUILD_TYPE=Release (line ${inst_line[build_run]}); the default is RelWithDebInfo"
  fi
  if [[ $cmake_args == *-DAUTHSIM_BUILD_TESTS=OFF* ]]; then
    ok "the image's build leaves the tests out"
  else
    fail "the build stage does not pass -DAUTHSIM_BUILD_TESTS=OFF (line ${inst_line[build_run]}): the image would build every test"
  fi
  if [[ $cmake_args =~ -D(AUTHSIM_SANITIZE_[A-Z]+|AUTHSIM_FUZZ)=ON ]]; then
    fail "the build stage turns ${BASH_REMATCH[1]} on: the image must be a plain build"
  fi
  if [ ${#targets[@]} -gt 0 ] && ! in_list authsim "${targets[@]}"; then
    fail "the build stage builds only ${targets[*]} (line ${inst_line[build_run]}), not authsim"
  fi
  if ! copied_before "$build_run" CMakeLists.txt; then
    fail "the build stage builds before copying CMakeLists.txt in"
  fi
  if [ -n "$target_dir" ] && ! copied_before "$build_run" "$target_dir"; then
    fail "the build stage builds before copying $target_dir/ (where authsim is declared) in"
  fi
  if [ -n "$binary_rel" ] && [ -n "${build_dir:-}" ]; then
    expected_artifact=$(join_path "$(join_path "$root" "$build_dir")" "$binary_rel")
    ok "the build stage leaves authsim at $expected_artifact"
  fi
fi

# A strip in the build stage must name that file.
for i in $(stage_insts "$build" RUN); do
  while IFS= read -r cmd; do
    read -ra w <<<"$cmd"
    [ "${w[0]:-}" = strip ] || continue
    for x in "${w[@]:1}"; do
      [[ $x == -* ]] && continue
      p=$(join_path "$(workdir_at "$i")" "$x")
      if [ -n "$expected_artifact" ] && [ "$p" != "$expected_artifact" ]; then
        fail "the build stage strips $p (line ${inst_line[i]}), but the binary is $expected_artifact"
      fi
    done
  done < <(commands_of "${inst_args[i]}")
done

# ------------------------------------------ runtime stage: the binary ------

section "runtime stage: the binary and how it starts"
entry=""
entry_index=""
for i in $(stage_insts "$runtime" ENTRYPOINT); do entry_index=$i; done
if [ -z "$entry_index" ]; then
  fail "the runtime stage has no ENTRYPOINT"
else
  if [[ ! ${inst_args[entry_index]} =~ ^[[:space:]]*\[ ]] || ! json_array "${inst_args[entry_index]}" >/dev/null; then
    fail "ENTRYPOINT should be in exec form, [\"/path/to/authsim\"]: in shell form authsim is not PID 1, misses docker stop's SIGTERM and gets no arguments from docker run"
  else
    mapfile -t entry_words < <(json_array "${inst_args[entry_index]}")
    entry=${entry_words[0]:-}
    if [ ${#entry_words[@]} -ne 1 ]; then
      fail "ENTRYPOINT should be the binary alone, not ${inst_args[entry_index]}: flags there beat the AUTHSIM_* variables (flags win), so docker run -e AUTHSIM_... would be ignored"
    else
      ok "ENTRYPOINT is the binary alone: $entry"
    fi
  fi
fi
for i in $(stage_insts "$runtime" CMD); do
  if json_array "${inst_args[i]}" >/dev/null && [ -z "$(json_array "${inst_args[i]}")" ]; then
    continue # CMD []
  fi
  fail "the runtime stage has CMD ${inst_args[i]} (line ${inst_line[i]}): its flags would beat the AUTHSIM_* variables (flags win); leave defaults to ENV"
done

bin_copy=""
if [ -n "$entry" ]; then
  for i in $(stage_insts "$runtime" COPY); do
    split_copy "${inst_args[i]}"
    [ -n "$copy_from" ] || continue
    dest=$(join_path "$(workdir_at "$i")" "$copy_dest")
    for s in "${copy_srcs[@]}"; do
      if [ "$dest" = "$entry" ] || { [[ $copy_dest == */ ]] && [ "$dest/${s##*/}" = "$entry" ]; }; then
        bin_copy=$i
        if [ "$copy_from" != "$build_ref" ] && [ "$copy_from" != "$build" ]; then
          fail "the binary is copied --from=$copy_from (line ${inst_line[i]}), not from the build stage ($build_ref)"
        fi
        if [ -z "$expected_artifact" ]; then
          :
        elif [ "$(norm_path "$s")" = "$expected_artifact" ]; then
          ok "the runtime stage copies the binary from $s, where the build stage leaves it"
        else
          fail "the runtime stage copies the binary from $s (line ${inst_line[i]}), but the build stage leaves it at $expected_artifact"
        fi
      fi
    done
  done
  if [ -z "$bin_copy" ]; then
    fail "ENTRYPOINT runs $entry, but no COPY --from=$build_ref puts a file there"
  fi
  guard=""
  for i in $(stage_insts "$runtime" RUN); do
    if [[ ${inst_args[i]} == *ldd* && ${inst_args[i]} == *"$entry"* && ${inst_args[i]} == *"not found"* ]]; then
      guard=$i
    fi
  done
  if [ -z "$guard" ]; then
    fail "the runtime stage lost its guard that fails the image build when ldd reports a library 'not found' for $entry"
  elif [ -n "$bin_copy" ] && [ "$guard" -lt "$bin_copy" ]; then
    fail "the ldd guard (line ${inst_line[guard]}) runs before the binary is copied in"
  else
    ok "a RUN fails the image build when ldd finds a library missing"
  fi
fi

# ---------------------------------------- runtime stage: the libraries ------

section "runtime stage: shared libraries"
runtime_packages=()
for i in $(stage_insts "$runtime" RUN); do
  while IFS= read -r p; do
    [ -n "$p" ] && runtime_packages+=("$p")
  done < <(apt_installs "${inst_args[i]}")
  if [[ ${inst_args[i]} =~ apt(-get)?[[:space:]]([^;&|]*[[:space:]])?install ]] && [[ ${inst_args[i]} != *--no-install-recommends* ]]; then
    fail "apt-get install in the runtime stage (line ${inst_line[i]}) lacks --no-install-recommends and would pull more than the libraries"
  fi
done

# Which package owns FILE (dpkg knows /lib and /usr/lib paths apart, and
# merged /usr makes both real).
package_of() {
  local f=$1 real cand out
  real=$(readlink -f "$f" 2>/dev/null || printf '%s' "$f")
  for cand in "$f" "$real" "/usr$f" "${f#/usr}" "/usr$real" "${real#/usr}"; do
    out=$(dpkg -S "$cand" 2>/dev/null | grep -v '^diversion' | head -n1) || continue
    if [ -n "$out" ]; then
      printf '%s' "${out%%:*}"
      return 0
    fi
  done
  return 1
}

# shellcheck disable=SC1091
os_id=$( (. /etc/os-release 2>/dev/null && printf '%s %s' "${ID:-}" "${VERSION_ID:-}"))
if ! command -v ldd >/dev/null || ! command -v dpkg >/dev/null; then
  skip "ldd or dpkg is missing here: cannot check which packages provide the binary's libraries"
elif [ "$os_id" != "debian 12" ]; then
  skip "this machine is '${os_id:-unknown}', not Debian 12 like the image: its libraries and packages say nothing about the image's"
elif [ ! -x "$binary" ]; then
  fail "cannot check the libraries: no binary at $binary"
elif [ -n "${real_build_dir:-}" ] &&
  grep -Eq '^(CMAKE_BUILD_TYPE:STRING=Debug|AUTHSIM_SANITIZE_(ADDRESS|THREAD):BOOL=ON)$' "$real_build_dir/CMakeCache.txt"; then
  # A Debug or sanitizer build (scripts/sanitize.sh runs this test too)
  # links libraries an optimised build leaves out (Boost.System,
  # Boost.Container), so its list says nothing about the image's.
  skip "the libraries of a Debug or sanitizer build are not those of the image's Release build"
else
  used_packages=()
  ldd_out=$(ldd "$binary" 2>&1) || fail "ldd $binary failed: $ldd_out"
  while IFS= read -r line; do
    line=$(trim "$line")
    lib=""
    if [[ $line =~ ^([^[:space:]]+)[[:space:]]+=\>[[:space:]]+not[[:space:]]found ]]; then
      fail "the built binary needs ${BASH_REMATCH[1]}, which ldd cannot find on this machine"
      continue
    elif [[ $line =~ ^[^[:space:]]+[[:space:]]+=\>[[:space:]]+(/[^[:space:]]+) ]]; then
      lib=${BASH_REMATCH[1]}
    elif [[ $line =~ ^(/[^[:space:]]+) ]]; then
      lib=${BASH_REMATCH[1]}
    fi
    [ -n "$lib" ] || continue
    # A sanitizer build (scripts/sanitize.sh runs this test too) loads the
    # sanitizer's runtime; the image's Release build does not.
    if [[ ${lib##*/} =~ ^lib(asan|ubsan|tsan|lsan|hwasan)\.so ]]; then
      echo "  (${lib##*/} belongs to this sanitizer build, not to the image's Release build)"
      continue
    fi
    if ! pkg=$(package_of "$lib"); then
      fail "the built binary loads $lib, which no Debian package provides: the image could not have it"
      continue
    fi
    used_packages+=("$pkg")
    if in_list "$pkg" "${runtime_packages[@]}"; then
      ok "${lib##*/} comes from $pkg, which the runtime stage installs"
    elif in_list "$pkg" "${base_packages[@]}"; then
      ok "${lib##*/} comes from $pkg, which debian:12-slim has"
    else
      fail "the built binary loads ${lib##*/} (from package $pkg), which the runtime stage does not install and the slim base does not have for sure: add $pkg to its apt-get install"
    fi
  done <<<"$ldd_out"
  for p in "${runtime_packages[@]}"; do
    if ! in_list "$p" "${used_packages[@]}"; then
      fail "the runtime stage installs $p, which provides none of the libraries authsim loads: the image should carry only what the binary needs"
    fi
  done
fi

# --------------------------------------------- what goes into the image -----

section "COPY sources and .dockerignore"
for i in "${!inst_kw[@]}"; do
  [[ ${inst_kw[i]} == COPY || ${inst_kw[i]} == ADD ]] || continue
  split_copy "${inst_args[i]}"
  [ -z "$copy_from" ] || continue
  if [ ${#copy_srcs[@]} -eq 0 ]; then
    fail "line ${inst_line[i]}: cannot read the sources of ${inst_kw[i]} ${inst_args[i]}"
    continue
  fi
  for s in "${copy_srcs[@]}"; do
    if [[ $s == *'$'* || $s == *://* ]]; then
      fail "line ${inst_line[i]}: cannot check the source '$s' (a variable or a URL)"
      continue
    fi
    rel=$(norm_path "$s")
    rel=${rel#/}
    shown=${rel:-.}
    if [[ $rel == ..* ]]; then
      fail "line ${inst_line[i]}: '$s' lies outside the project, which is the build context"
      continue
    fi
    matches=()
    if [[ $rel == *[*?[]* ]]; then
      mapfile -t matches < <(cd "$src" && compgen -G "$rel")
    elif [ -e "$src/${rel:-.}" ]; then
      matches=("$rel")
    fi
    if [ ${#matches[@]} -eq 0 ]; then
      fail "line ${inst_line[i]}: ${inst_kw[i]} source '$s' does not exist in the project"
      continue
    fi
    if [ -z "$rel" ]; then
      ok "line ${inst_line[i]}: copies the whole context (what .dockerignore leaves of it)"
      continue
    fi
    bad=()
    for m in "${matches[@]}"; do
      if di_excludes "$m"; then
        bad+=("$m")
        continue
      fi
      while IFS= read -r f; do
        [ -n "$f" ] || continue
        di_excludes "$f" && bad+=("$f")
      done < <(files_under "$m")
    done
    if [ ${#bad[@]} -gt 0 ]; then
      fail "line ${inst_line[i]}: ${inst_kw[i]} $shown, but .dockerignore keeps ${bad[*]:0:5}$([ ${#bad[@]} -gt 5 ] && echo " (and $((${#bad[@]} - 5)) more)") out of the build context"
    else
      ok "line ${inst_line[i]}: $shown exists and .dockerignore lets all of it through"
    fi
  done
done

# Build trees and installed dependencies must stay out of the context: they
# are big, and belong to one machine.
must_exclude=(build/CMakeCache.txt build-asan/CMakeCache.txt build-tsan/server/authsim
  cmake-build-debug/CMakeCache.txt tests/node/node_modules/yaml/package.json)
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # And whatever git ignores that exists in this checkout.
  while IFS= read -r d; do
    [ -n "$d" ] && must_exclude+=("${d%/}")
  done < <(git -C "$src" ls-files --others --ignored --exclude-standard --directory 2>/dev/null)
fi
leaks=0
for p in "${must_exclude[@]}"; do
  if ! di_excludes "$p"; then
    fail ".dockerignore lets $p into the build context; exclude it"
    leaks=$((leaks + 1))
  fi
done
[ "$leaks" -gt 0 ] || ok ".dockerignore keeps build trees and node_modules out (${#must_exclude[@]} paths tried)"

# ---------------------------------------------------------------- fixtures --

section "fixtures"
for f in creditpay.json uocs.json; do
  if [ -f "$src/fixtures/$f" ]; then
    ok "the project's fixtures/ has $f"
  else
    fail "the project's fixtures/ has no $f, which authsim reads at start"
  fi
done
if value=$(stage_env "$runtime" AUTHSIM_FIXTURES); then
  if [ "$value" = "$fixtures_dir" ]; then
    ok "ENV AUTHSIM_FIXTURES=$fixtures_dir"
  else
    fail "ENV AUTHSIM_FIXTURES is '$value', but the image's documented fixtures directory is $fixtures_dir"
  fi
else
  fail "the runtime stage does not set ENV AUTHSIM_FIXTURES=$fixtures_dir"
fi
for i in $(stage_insts "$runtime" ENTRYPOINT) $(stage_insts "$runtime" CMD); do
  re='--fixtures[",=[:space:]]+"?([^",[:space:]]+)'
  if [[ ${inst_args[i]} =~ $re ]] && [ "${BASH_REMATCH[1]}" != "$fixtures_dir" ]; then
    fail "${inst_kw[i]} passes --fixtures ${BASH_REMATCH[1]}, not $fixtures_dir"
  fi
done
bundled=""
for i in $(stage_insts "$runtime"); do
  [[ ${inst_kw[i]} == COPY || ${inst_kw[i]} == ADD ]] || continue
  split_copy "${inst_args[i]}"
  [ -z "$copy_from" ] || continue
  dest=$(join_path "$(workdir_at "$i")" "$copy_dest")
  if [ "$dest" = "$fixtures_dir" ] && [ ${#copy_srcs[@]} -eq 1 ] && [ "$(norm_path "${copy_srcs[0]}")" = fixtures ]; then
    bundled=$i
  fi
done
if [ -n "$bundled" ]; then
  ok "the bundled fixtures/ are copied to $fixtures_dir, so the image runs without a mount"
else
  fail "the runtime stage does not COPY fixtures/ to $fixtures_dir/: without a mount the image would have no fixtures"
fi

# ------------------------------------------------ runtime stage: settings ---

section "runtime stage: settings, user, port, health check"
is_flag() { in_list "$1" "${help_flags[@]}"; }
if [ ${#help_flags[@]} -eq 0 ]; then
  fail "could not read the flags from $binary --help"
fi
# Every ENV AUTHSIM_SOME_FLAG of the runtime stage must be a flag --some-flag.
for i in $(stage_insts "$runtime" ENV); do
  while IFS=$'\t' read -r n v; do
    [[ $n == AUTHSIM_* ]] || continue
    flag=${n#AUTHSIM_}
    flag="--${flag,,}"
    flag=${flag//_/-}
    if [ ${#help_flags[@]} -gt 0 ] && ! is_flag "$flag"; then
      fail "ENV $n (line ${inst_line[i]}) matches no flag: authsim --help has no $flag"
    fi
  done < <(env_pairs "${inst_args[i]}")
done

host=$(stage_env "$runtime" AUTHSIM_HOST) || host=""
case $host in
  0.0.0.0 | ::) ok "ENV AUTHSIM_HOST=$host: reachable through a published port" ;;
  '') fail "the runtime stage does not set ENV AUTHSIM_HOST=0.0.0.0: authsim would listen on 127.0.0.1 inside the container, out of reach of -p" ;;
  *) fail "ENV AUTHSIM_HOST is '$host': inside a container authsim must listen on 0.0.0.0 (or ::) to be reachable" ;;
esac
port=$(stage_env "$runtime" AUTHSIM_PORT) || port=""
if [ "$port" = "$image_port" ]; then
  ok "ENV AUTHSIM_PORT=$port"
else
  fail "ENV AUTHSIM_PORT is '${port:-unset}', but the image's documented port is $image_port"
fi
exposed=()
for i in $(stage_insts "$runtime" EXPOSE); do
  read -ra w <<<"${inst_args[i]}"
  for x in "${w[@]}"; do exposed+=("${x%/tcp}"); done
done
if [ -n "$port" ] && in_list "$port" "${exposed[@]}"; then
  ok "EXPOSE $port matches AUTHSIM_PORT"
else
  fail "EXPOSE lists '${exposed[*]:-nothing}', which does not match AUTHSIM_PORT (${port:-unset})"
fi
base_url=$(stage_env "$runtime" AUTHSIM_PUBLIC_BASE_URL) || base_url=""
if [ "$base_url" = "http://localhost:${port:-$image_port}" ]; then
  ok "ENV AUTHSIM_PUBLIC_BASE_URL=$base_url"
else
  fail "ENV AUTHSIM_PUBLIC_BASE_URL is '${base_url:-unset}', not http://localhost:${port:-$image_port}: issued codes would point at 0.0.0.0 or a wrong port"
fi

user=""
for i in $(stage_insts "$runtime" USER); do user=$(trim "${inst_args[i]}"); done
user_name=${user%%:*}
if [ -z "$user" ]; then
  fail "the runtime stage has no USER: the container would run as root"
elif [ "$user_name" = root ] || [[ $user_name =~ ^0+$ ]]; then
  fail "the runtime stage runs as USER $user, which is root"
elif [[ $user_name =~ ^[0-9]+$ ]]; then
  ok "the container runs as uid $user_name"
else
  created=""
  for i in $(stage_insts "$runtime" RUN); do
    while IFS= read -r cmd; do
      read -ra w <<<"$cmd"
      [[ ${w[0]:-} == useradd || ${w[0]:-} == adduser ]] || continue
      [ "${w[-1]}" = "$user_name" ] || continue
      created=$i
      if [[ " ${w[*]} " != *" --system "* && " ${w[*]} " != *" -r "* ]]; then
        fail "USER $user_name is created without --system (line ${inst_line[i]})"
      fi
    done < <(commands_of "${inst_args[i]}")
  done
  if [ -n "$created" ]; then
    ok "the container runs as $user_name, a system user the runtime stage creates"
  else
    fail "USER $user_name is never created in the runtime stage (useradd --system ... $user_name): docker run would fail"
  fi
fi

health=""
for i in $(stage_insts "$runtime" HEALTHCHECK); do health=$i; done
if [ -z "$health" ]; then
  fail "the runtime stage has no HEALTHCHECK"
elif [[ ${inst_args[health]} =~ ^[[:space:]]*NONE ]]; then
  fail "HEALTHCHECK NONE: the image should check $health_path"
else
  hc=${inst_args[health]}
  hc_opts=${hc%%CMD*}
  hc_cmd=$(trim "${hc#*CMD}")
  timeout_s=""
  if [[ $hc_opts =~ --timeout=([0-9]+)(ms|s|m)? ]]; then
    case ${BASH_REMATCH[2]} in
      ms) timeout_s=$((BASH_REMATCH[1] / 1000)) ;;
      m) timeout_s=$((BASH_REMATCH[1] * 60)) ;;
      *) timeout_s=${BASH_REMATCH[1]} ;;
    esac
    ok "HEALTHCHECK is bounded by --timeout=${timeout_s}s"
  else
    fail "HEALTHCHECK has no --timeout: bound the probe explicitly"
  fi
  hc_words=()
  words_of hc_words "$hc_cmd"
  probe=""
  probe_src=""
  for k in "${!hc_words[@]}"; do
    [[ ${hc_words[k]} == /* ]] || continue
    if f=$(project_file_at "$runtime" "$(norm_path "${hc_words[k]}")"); then
      probe=${hc_words[k]}
      probe_src=$f
      probe_pos=$k
      break
    fi
  done
  if [ -z "$probe" ]; then
    fail "HEALTHCHECK runs '$hc_cmd', which calls no script the runtime stage copies from the project"
  else
    if [ "$probe_src" != scripts/healthcheck.sh ]; then
      fail "HEALTHCHECK runs $probe, copied from $probe_src; the probe is scripts/healthcheck.sh"
    fi
    if grep -qF "$health_path" "$src/$probe_src"; then
      ok "HEALTHCHECK runs $probe ($probe_src), which asks $health_path"
    else
      fail "HEALTHCHECK runs $probe ($probe_src), which never asks $health_path"
    fi
    for v in AUTHSIM_PORT AUTHSIM_ADMIN_TOKEN; do
      grep -q "$v" "$src/$probe_src" || fail "$probe_src does not read $v, so the probe and the server can disagree"
    done
    if [ "$probe_pos" = 0 ] && ! project_executable "$probe_src"; then
      fail "HEALTHCHECK executes $probe directly, but $probe_src is not executable (COPY keeps the mode)"
    fi
    limit=${hc_words[probe_pos + 1]:-3}
    if [[ $limit =~ ^[0-9]+$ ]] && [ -n "$timeout_s" ] && [ "$limit" -ge "$timeout_s" ]; then
      fail "the probe may wait ${limit}s for an answer, not less than HEALTHCHECK --timeout=${timeout_s}s"
    fi
  fi
fi

# ------------------------------------------------------- the examples -------

section "examples in the Dockerfile header and README.md"
# Checks one `docker run ...` example from WHERE: published container port,
# mount target, -e variables, flags after the image name.
check_run_example() {
  local where=$1 text=$2
  local -a t
  read -ra t <<<"${text//[\"\']/}"
  local k=0 image="" host_port="" base="" w val
  while [ "$k" -lt "${#t[@]}" ] && [ "${t[k]}" != run ]; do k=$((k + 1)); done
  k=$((k + 1))
  while [ "$k" -lt "${#t[@]}" ] && [ -z "$image" ]; do
    w=${t[k]}
    val=""
    case $w in
      -p | --publish | -v | --volume | -e | --env | --mount | --name | --env-file | -u | --user | --network | -w | --workdir | --entrypoint | --health-cmd)
        val=${t[k + 1]:-}
        k=$((k + 1))
        ;;
      --*=*) val=${w#*=} w=${w%%=*} ;;
      -*) ;;
      *) image=$w ;;
    esac
    case $w in
      -p | --publish)
        # [IP:]HOST:CONTAINER[/tcp]
        local container=${val##*:}
        container=${container%/tcp}
        host_port=${val%:*}
        host_port=${host_port##*:}
        if [ "$container" != "$image_port" ]; then
          fail "$where: '$text' publishes container port $container, but the image listens on $image_port"
        fi
        ;;
      -v | --volume)
        local target
        target=$(cut -d: -f2 <<<"$val")
        found_mount=1
        if [ "$(norm_path "$target")" != "$fixtures_dir" ]; then
          fail "$where: '$text' mounts at $target, but the image reads its fixtures from $fixtures_dir"
        fi
        ;;
      --mount)
        local target
        target=$(grep -oE '(target|dst|destination)=[^,]+' <<<"$val" | cut -d= -f2)
        found_mount=1
        if [ "$(norm_path "$target")" != "$fixtures_dir" ]; then
          fail "$where: '$text' mounts at $target, but the image reads its fixtures from $fixtures_dir"
        fi
        ;;
      -e | --env)
        local name=${val%%=*} flag
        flag="--${name#AUTHSIM_}"
        flag=${flag,,}
        flag=${flag//_/-}
        if [[ $name != AUTHSIM_* ]] || { [ ${#help_flags[@]} -gt 0 ] && ! is_flag "$flag"; }; then
          fail "$where: '$text' sets $name, which names no flag of authsim"
        fi
        [ "$name" = AUTHSIM_PUBLIC_BASE_URL ] && base=${val#*=}
        ;;
    esac
    [ -n "$image" ] || k=$((k + 1))
  done
  if [ -z "$image" ]; then
    fail "$where: cannot find the image name in '$text'"
    return
  fi
  k=$((k + 1))
  while [ "$k" -lt "${#t[@]}" ]; do
    w=${t[k]}
    if [[ $w == --* ]]; then
      val=""
      if [[ $w == *=* ]]; then
        val=${w#*=}
        w=${w%%=*}
      else
        val=${t[k + 1]:-}
      fi
      if [ ${#help_flags[@]} -gt 0 ] && ! is_flag "$w"; then
        fail "$where: '$text' passes $w, which authsim --help does not list"
      fi
      if [ "$w" = --scenario ] && [ ! -f "$src/fixtures/scenarios/$val.json" ]; then
        fail "$where: '$text' selects scenario '$val', which fixtures/scenarios/ does not have"
      fi
      [ "$w" = --public-base-url ] && base=$val
    fi
    k=$((k + 1))
  done
  if [ -n "$base" ] && [ -n "$host_port" ] && [[ $base != *:"$host_port" && $base != *:"$host_port"/* ]]; then
    fail "$where: '$text' publishes port $host_port but points issued codes at $base"
  fi
  examples=$((examples + 1))
}

# The Dockerfile's header comment.
examples=0
found_mount=0
saw_build=0
for c in "${comments[@]}"; do
  line=$(trim "${c#*#}")
  [[ $line == "docker build"* ]] && saw_build=1
  [[ $line == "docker run "* ]] && check_run_example "Dockerfile header" "$line"
done
[ "$saw_build" = 1 ] || fail "the Dockerfile's header comment no longer shows how to build the image (docker build ...)"
if [ "$examples" -eq 0 ]; then
  fail "the Dockerfile's header comment no longer shows how to run the image (docker run ...)"
elif [ "$found_mount" = 0 ]; then
  fail "the Dockerfile's header comment does not show how to mount fixtures at $fixtures_dir"
else
  ok "the Dockerfile header's $examples docker run example(s) match the image"
fi

# README.md's Docker section.
examples=0
found_mount=0
if [ ! -f "$readme" ]; then
  fail "README.md is missing"
else
  # The section is "### Docker" under "Use it from your stack" (or a
  # "## Docker" of its own); it ends at the next heading.
  section_text=$(awk '/^##+ /{on = ($0 ~ /^###? Docker[[:space:]]*$/)} on' "$readme")
  if [ -z "$section_text" ]; then
    fail "README.md has no 'Docker' section"
  else
    joined=""
    while IFS= read -r line; do
      if [[ $line =~ ^(.*)\\[[:space:]]*$ ]]; then
        joined+="${BASH_REMATCH[1]} "
        continue
      fi
      joined+=$line
      line=$(trim "$joined")
      joined=""
      [[ $line == *"docker run "* ]] || continue
      [[ $line == '#'* ]] && continue
      line=${line#*\`}
      line=${line%%\`*}
      check_run_example "README.md (Docker)" "$(trim "$line")"
    done <<<"$section_text"
    if [ "$examples" -eq 0 ]; then
      fail "README.md's Docker section shows no docker run example"
    elif [ "$found_mount" = 0 ]; then
      fail "README.md's Docker section does not show how to mount your fixtures at $fixtures_dir"
    else
      ok "README.md's $examples docker run example(s) match the image, fixtures mounted at $fixtures_dir"
    fi
  fi
fi

# ------------------------------------------------------------------ result --

echo
if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) failed: the Dockerfile and the project disagree" >&2
  exit 1
fi
if [ ${#skipped[@]} -gt 0 ]; then
  echo "every check that could run passed; skipped: ${skipped[*]}"
  exit 77
fi
echo "the Dockerfile matches the project"
exit 0
