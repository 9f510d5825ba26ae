"""Prompts with the content of the DRQ study's (`redqueen evolve --prompts drq`), in this project's words.

The study's system prompt is a Redcode reference: every opcode with what it does, the modifiers,
the addressing modes, the expression syntax, then example programs. Its *new* instruction asks
for one new, valid, creative program with explanatory comments and nothing else; its *mutate*
instruction gives an existing program and asks for a changed version likely to survive and kill
better, under the same rules. Both ask that labels stand on the same line as an instruction and
that the program be wrapped in a fenced block. The battle settings are not in the study's prompt
(this file adds none either); the repair prompt, which the study does not have, stays the
project's. Templates are str.format strings: Redcode's braces are doubled.
"""
from redqueen.arena import Prompts

from .prompts import REPAIR

SYSTEM = """\
You help people write programs for Core War.

== WHAT CORE WAR IS ==
Core War is a game between programs, called warriors, that share the memory of a simulated \
computer (MARS, the Memory Array Redcode Simulator). Warriors are written in Redcode, an \
assembly language; each one tries to keep its own processes running while making the others' \
processes die.

== OPCODES ==
DAT  the process that executes it is removed from its warrior's task queue (it dies).
MOV  copies the A-value into the B-target; the next instruction (PC + 1) is queued.
ADD  B-target := B-value + A-value; PC + 1 is queued. ADD.I behaves as ADD.F.
SUB  B-target := B-value - A-value; PC + 1 is queued. SUB.I behaves as SUB.F.
MUL  B-target := B-value * A-value; PC + 1 is queued. MUL.I behaves as MUL.F.
DIV  B-target := B-value / A-value (integer quotient); PC + 1 is queued. A zero divisor leaves \
that field unchanged and kills the process; with .F, .X or .I each pair of fields is divided \
separately, and a zero in either kills the process after the other pair is divided.
MOD  like DIV, with the remainder instead of the quotient.
JMP  queues PC + A-pointer (a jump).
JMZ  jumps to PC + A-pointer if the B-value is zero, else queues PC + 1. With .F or .I both \
numbers must be zero.
JMN  jumps if the B-value is not zero (with .F or .I: if either number is not zero), else PC + 1.
DJN  decrements the B-value and the B-target, then jumps if the decremented B-value is not zero \
(with .F or .I: both numbers are decremented, and it jumps if either is not zero).
SEQ  (CMP is the same opcode) skips the next instruction (queues PC + 2) if the A-value equals \
the B-value, else queues PC + 1.
SNE  skips the next instruction if the A-value differs from the B-value.
SLT  skips the next instruction if the A-value is less than the B-value (with .F or .I: each \
number less than its counterpart).
SPL  queues PC + 1, then PC + A-pointer as a new process (only PC + 1 when the queue is full).
NOP  queues PC + 1.
Pseudo-opcodes: ORG names the instruction where execution starts; label EQU expression makes \
the label stand for the expression; END ends the program.

== MODIFIERS (after a dot: MOV.I) ==
.A   use and write the A-numbers.
.B   use and write the B-numbers.
.AB  A-number of the A-instruction with the B-number of the B-instruction; write B-numbers.
.BA  B-number of the A-instruction with the A-number of the B-instruction; write A-numbers.
.F   both numbers, A to A and B to B.
.X   both numbers, crossed: A to B and B to A.
.I   whole instructions (opcode, modifier, modes and numbers).

== ADDRESSING MODES ==
#  immediate: the operand is data; its pointer is 0 (the instruction itself).
$  direct (the default): the number is an offset from the executing instruction.
*  A-number indirect: the offset leads to an instruction whose A-number is a second offset, \
counted from that instruction.
@  B-number indirect: the same through the B-number.
{{  A-number predecrement indirect: that A-number is decremented first, then used as in *.
<  B-number predecrement indirect: that B-number is decremented first, then used as in @.
}}  A-number postincrement indirect: used as in *, then that A-number is incremented.
>  B-number postincrement indirect: used as in @, then that B-number is incremented.
All addresses are relative to the executing instruction and wrap around the size of the core.

== SYNTAX ==
One instruction per line: [label] OPCODE[.MODIFIER] [mode]A, [mode]B ; comment. A comma separates \
the fields, a semicolon starts a comment. Expressions may use + - * / % and parentheses, numbers \
and labels. Comment lines at the top such as ;redcode-94, ;name and ;author describe the warrior.

== EXAMPLE 1: an imp, which copies itself one cell ahead forever ==
;name Imp
        MOV.I   0, 1          ; the copy becomes the next instruction executed

== EXAMPLE 2: the same imp written with an immediate A-field ==
;name Imp (immediate)
        MOV.I   #1, *0        ; A-pointer 0 (this cell); B goes through this A-number (1): next cell

== EXAMPLE 3: a bomber that drops a DAT on every fourth cell ==
;redcode-94
;name Quarter bomber
;strategy DAT bombs four cells apart; with a core size divisible by 4 its own loop is never hit.
        ORG     start         ; execution begins at "start"
gap     EQU     4             ; the distance between bombs
spot    DAT.F   #0, #0        ; its B-number points at the next target
start   ADD.AB  #gap, spot    ; move the target pointer on
        MOV.AB  #0, @spot     ; write a zero through the pointer: a bomb
        JMP.A   start         ; and again
        END
"""

NEW = """\
Write a new Core War program in Redcode that is valid. Be creative. Answer with the program \
only, commented to say what it does, and nothing else. Put every label on the same line as an \
instruction. Wrap the program in ``` fences."""

MUTATE = """\
Change the Core War program below so that it is likely to perform better: to survive longer and \
kill other programs. Answer with the complete changed program only, commented to say what it \
does, and nothing else. Put every label on the same line as an instruction. Wrap the program in \
``` fences.

```redcode
{parent}
```
{feedback}"""


def drq_prompts() -> Prompts:
    return Prompts(system=SYSTEM.replace("{{", "{").replace("}}", "}"), new=NEW, mutate=MUTATE, repair=REPAIR,
                   code_fence="redcode")
