/* placeholder: replaced in the next commit */
int main(void);
int main(void) { return 0; }
