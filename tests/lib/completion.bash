# Helpers of the completion tests (bash), sourced after mount.sh or alone:
#
#	comp LINE		complete LINE as if TAB were pressed at its end;
#				prints the candidates sorted, on one line
#	expect LINE WANT	comp LINE must print WANT
# shellcheck shell=bash

# shellcheck source=/dev/null
. "$abs_top_srcdir/completion/devpagerctl"
COMP_WORDBREAKS=$' \t\n"\'><=;|&(:'

comp() {
	COMP_LINE=$1
	COMP_POINT=${#1}
	COMPREPLY=()
	_devpagerctl devpagerctl
	printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | tr '\n' ' ' |
	    sed 's/ $//'
}

expect() {
	local got
	got=$(comp "$1")
	if [[ $got != "$2" ]]; then
		echo "FAIL: completing '$1': got '$got', expected '$2'"
		exit 1
	fi
}
