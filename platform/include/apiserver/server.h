/* ocxd — API server + controllers + node agent entry point. */
#pragma once
int api_main(int argc, char **argv);
