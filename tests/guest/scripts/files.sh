# File tools in a scratch directory: cp mv ln mkdir rm find xargs tar gzip md5sum.
d=tmp/files.$$
mkdir -p $d/a/b/c
cp etc/motd $d/a/motd
cp data/words data/numbers $d/a/b/
mv $d/a/b/numbers $d/a/b/c/nums
ln -s ../motd $d/a/b/link
ln $d/a/motd $d/a/hard
cat $d/a/b/link
(cd $d && find . | sort)
(cd $d && find . -type f | sort | xargs md5sum)
(cd $d && find . -name 'n*' -o -name 'w*' | sort | xargs cat)
tar -C $d -cf $d/t.tar a
tar -tf $d/t.tar | sort
mkdir $d/x
tar -C $d/x -xf $d/t.tar
md5sum $d/x/a/b/words $d/x/a/b/c/nums | sed "s|$d/||"
gzip -c data/words > $d/w.gz
gzip -dc $d/w.gz
gzip $d/x/a/motd; ls $d/x/a | sort
gunzip $d/x/a/motd.gz; cat $d/x/a/motd
rm -r $d/a/b; ls $d/a | sort
rmdir $d/x 2>/dev/null || echo "rmdir: not empty"
rm -rf $d
ls tmp
