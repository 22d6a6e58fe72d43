# words.sh: text helpers, sourced by test.sh.

# count_words FILE prints the number of words in FILE.
count_words() {
	wc -l < "$1"
}
