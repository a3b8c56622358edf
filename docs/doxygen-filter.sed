# Doxygen input filter for lib/include/chat/*.hpp (see Doxyfile): those headers use plain `//`
# comments (the project style); this turns them into Doxygen comments without editing them.
# Line 1 (the file's job) becomes the file's documentation.
1{
  s#^// ?(.*)$#/// @file\n/// \1#
  b
}
# Section rulers ("// ---- Accounts ----") and namespace ends stay plain comments.
/^[[:space:]]*\/\/ -{3,}/b
/\/\/ namespace/b
# A comment line before a declaration documents it.
s#^([[:space:]]*)// ?#\1/// #
# A comment after code documents that member ("int n = 0;  // why"); "://" in strings is not one.
s#([^:/[:space:]][[:space:]]*[[:space:]])// #\1///< #
