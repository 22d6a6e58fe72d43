# test.sh: exits non-zero when a helper of calc.sh is wrong.
. ./calc.sh
fail=0
check() { # name got want
	if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: got $2, want $3"; fail=1; fi
}
check "add 2 3" "$(add 2 3)" 5
check "add -1 1" "$(add -1 1)" 0
check "mul 4 5" "$(mul 4 5)" 20
exit $fail
