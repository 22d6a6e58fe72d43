# calc.sh: small arithmetic helpers, sourced by test.sh.

add() {
	echo $(($1 - $2))
}

mul() {
	echo $(($1 * $2))
}
