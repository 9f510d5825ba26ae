;redcode-94
;name Glance
;author redqueen
;strategy Quickscanner: before anything else, checks ten fixed spots spread over the
;strategy core, two cells each, in straight-line code (no loop). If a spot looks
;strategy occupied it bombs the area with a spray of DATs; then it becomes a stone.
;assert CORESIZE == 8000
gap     equ     4
spot    equ     750
        org     look
mark    dat.f   #0, #0                          ; B: the occupied spot, from here
look    seq.i   mark+1*spot, mark+1*spot+gap    ; equal: nothing there, skip the note
        mov.ab  #1*spot, mark
        seq.i   mark+2*spot, mark+2*spot+gap
        mov.ab  #2*spot, mark
        seq.i   mark+3*spot, mark+3*spot+gap
        mov.ab  #3*spot, mark
        seq.i   mark+4*spot, mark+4*spot+gap
        mov.ab  #4*spot, mark
        seq.i   mark+5*spot, mark+5*spot+gap
        mov.ab  #5*spot, mark
        seq.i   mark+6*spot, mark+6*spot+gap
        mov.ab  #6*spot, mark
        seq.i   mark+7*spot, mark+7*spot+gap
        mov.ab  #7*spot, mark
        seq.i   mark+8*spot, mark+8*spot+gap
        mov.ab  #8*spot, mark
        seq.i   mark+9*spot, mark+9*spot+gap
        mov.ab  #9*spot, mark
        seq.i   mark+10*spot, mark+10*spot+gap
        mov.ab  #10*spot, mark
        jmz.b   stone, mark                     ; nothing seen: go straight to bombing
        sub.ab  #6, mark                        ; spray from 6 before the spot...
spray   mov.i   shot, >mark                     ; ...to 12 cells past it
        djn.b   spray, #18
stone   add.ab  #3044, shot
        mov.i   shot, @shot
        jmp     stone
shot    dat.f   #0, #0
        end
