# test.sh: exits non-zero when count_words is wrong.
. ./words.sh
got=$(count_words sample.txt | tr -d ' ')
if [ "$got" = 9 ]; then echo "ok   count_words sample.txt"; exit 0; fi
echo "FAIL count_words sample.txt: got $got, want 9"
exit 1
