# One place for compiler warnings: every target of the project calls chat_set_warnings().
function(chat_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(CHAT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
