# changelog.sh: writes CHANGELOG.md from VERSION and CHANGES.
{
	echo "# Changelog"
	echo
	echo "## $(cat VERSION)"
	echo
	sed 's/^/- /' CHANGES
} > CHANGELOG.md
echo "wrote CHANGELOG.md ($(wc -l < CHANGES | tr -d ' ') entries)"
