// The consumer project's own library (tests/package/subproject): must stay a static archive.
int own_util_answer() {
  return 42;
}
