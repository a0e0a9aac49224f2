#include "apiserver/server.h"

int main(int argc, char **argv) { return api_main(argc, argv); }
