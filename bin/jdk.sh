# Finds a JDK 21 or newer and exports JAVA_HOME; sourced by ./nanolith and the bench scripts.
# Order: JAVA_HOME if it is new enough, then the JDKs installed in the usual places, newest first.

nanolith_java_feature() { # prints the feature version of the JDK at $1 (17, 21, 25, ...), or nothing
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | awk -F'= ' '/java.specification.version/ { v=$2; sub(/^1\./, "", v); print v; exit }'
}

nanolith_find_jdk() {
  local candidate version best="" best_version=0 seen=""
  if [ -n "${JAVA_HOME:-}" ]; then
    version=$(nanolith_java_feature "$JAVA_HOME")
    if [ -n "$version" ] && [ "$version" -ge 21 ]; then
      echo "$JAVA_HOME"
      return 0
    fi
    seen="JAVA_HOME=$JAVA_HOME (Java ${version:-?})"
  fi
  for candidate in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* \
      /Library/Java/JavaVirtualMachines/*/Contents/Home \
      "$(dirname "$(dirname "$(readlink -f "$(command -v javac 2>/dev/null || echo /nonexistent)")")")"; do
    [ -d "$candidate" ] || continue
    version=$(nanolith_java_feature "$candidate")
    [ -n "$version" ] || continue
    seen="$seen${seen:+, }$candidate (Java $version)"
    if [ "$version" -ge 21 ] && [ "$version" -gt "$best_version" ]; then
      best="$candidate"
      best_version="$version"
    fi
  done
  if [ -z "$best" ]; then
    echo "nanolith: needs a JDK 21 or newer; found ${seen:-no JDK}." >&2
    echo "  Install one (Debian: apt-get install openjdk-21-jdk; or any Temurin 21+) or point JAVA_HOME at it." >&2
    return 1
  fi
  echo "$best"
}

JAVA_HOME=$(nanolith_find_jdk) || exit 1
export JAVA_HOME
