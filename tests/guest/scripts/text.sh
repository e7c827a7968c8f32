# Text tools on generated and initramfs files, through pipes.
d=tmp/text.$$
mkdir $d
for i in 5 3 9 1 3 7 5 5 2; do echo "line $i"; done > $d/lines
sort $d/lines | uniq -c
sort -u $d/lines | wc -l
sort -t' ' -k2 -n -r $d/lines | head -3
tail -2 $d/lines
grep -n 'line [57]' $d/lines
grep -v 5 $d/lines | wc -l
sed -e 's/line/LINE/' -e '3d' $d/lines | head -4
awk '{ s += $2 } END { print "sum", s, "n", NR }' $d/lines
awk -F' ' '$2 > 4 { print $2 * 10 }' $d/lines
cut -c1-3 etc/motd
tr ' ' '\n' < data/words | sort -r
cat data/numbers | tr ' ' '\n' | sort -n | xargs echo sorted:
echo "one two three" | awk '{ for (i = NF; i > 0; i--) printf "%s ", $i; print "" }'
wc -c etc/motd data/words
printf '%s=%d\n' a 1 b 2
rm -r $d
