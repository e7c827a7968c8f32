# busybox sh: functions, loops, redirections, here-documents, case, exit codes.
greet() { echo "hello, $1"; return $2; }
greet world 0; echo "status $?"
greet again 7; echo "status $?"
i=0
while [ $i -lt 4 ]; do i=$((i + 1)); [ $i -eq 2 ] && continue; echo "while $i"; done
for w in one two three; do case $w in t*) echo "t-word $w";; *) echo "other $w";; esac; done
d=tmp/shell.$$
mkdir $d
echo first > $d/f
echo second >> $d/f
cat < $d/f
wc -l < $d/f
ls /nonexistent 2> $d/err; echo "ls status $?"
grep -c nonexistent $d/err
cat <<END
here-doc line 1
here-doc with $((2 + 3)) and $w
END
cat <<'END'
quoted $HOME stays
END
while read a b; do echo "read [$a] [$b]"; done <<END
x y z
1 2
END
{ echo grouped; echo lines; } | tr a-z A-Z
exec 3> $d/fd3; echo "to fd 3" >&3; exec 3>&-; cat $d/f*3
rm -r $d
v=$(for n in 1 2 3; do echo -n "$n."; done); echo "captured $v"
sh -c 'exit 9'; echo "child exit $?"
(exit 0) && echo and-ok; (exit 1) || echo or-ok
! false; echo "negated $?"
x=abcdef; echo ${x#ab} ${x%ef} ${x:-unset} ${y:-default} ${#x}
set -- a b c; echo "$# args: $@"; shift; echo "now $1"
trap 'echo trapped exit' EXIT
exit 3
