#ifndef CLIBPQ_SHIM_H
#define CLIBPQ_SHIM_H

/* Only the non-variadic libpq API is used (PQexecParams, PQprepare, PQexecPrepared). */
#include <libpq-fe.h>

#endif
