#ifndef CHIREDIS_SHIM_H
#define CHIREDIS_SHIM_H

/* redisCommand is variadic; callers use redisCommandArgv / redisAppendCommandArgv instead. */
#include <hiredis/hiredis.h>

#endif
